/** HTML element names that plain markdown may embed; anything else in `<…>` is left as text. */
export const htmlElements = new Set(
  (
    'a abbr address article aside audio b bdi bdo big blockquote body br button caption center cite code col ' +
    'colgroup dd del details dfn div dl dt em embed fieldset figcaption figure font footer form h1 h2 h3 h4 ' +
    'h5 h6 head header hr html i iframe img input ins kbd label legend li main mark nav object ol p picture ' +
    'pre q s samp script section small source span strike strong style sub summary sup svg table tbody td ' +
    'template textarea tfoot th thead time tr tt u ul use var video wbr'
  ).split(' '),
);
