/**
 * Words dropped from documents and queries alike. Besides English function words, the list
 * holds the words people wrap questions in ("how do I…", "what is the…", "is there a way
 * to…", "can you explain…"): they carry no topic, and documentation rarely uses them in a way
 * that tells one section from another. Words that are also code (`not`, `null`, `all`, `on`)
 * are kept out on purpose: `NOT NULL`, `ON CONFLICT` and `ALL` are what people look up.
 */
export const stopWords: ReadonlySet<string> = new Set([
  // articles, pronouns, determiners
  'a', 'an', 'the', 'this', 'that', 'these', 'those', 'it', 'its', 'i', 'me', 'my', 'we', 'us', 'our',
  'you', 'your', 'he', 'she', 'they', 'them', 'their', 'there', 'here', 'some', 'any', 'each', 'such',
  // auxiliaries
  'is', 'are', 'was', 'were', 'be', 'been', 'being', 'am', 'do', 'does', 'did', 'doing', 'done', 'have', 'has',
  'had', 'having', 'can', 'could', 'should', 'would', 'will', 'shall', 'may', 'might', 'must',
  // prepositions and conjunctions
  'of', 'to', 'in', 'for', 'with', 'at', 'by', 'from', 'into', 'onto', 'about', 'as', 'than', 'then',
  'and', 'or', 'but', 'if', 'so', 'also', 'too', 'very', 'just', 'only', 'own', 'same', 'other',
  'between', 'through', 'during', 'before', 'after', 'above', 'below', 'over', 'under', 'again', 'once',
  // question phrasing
  'how', 'what', 'which', 'who', 'whom', 'whose', 'why', 'when', 'where', 'whether',
  'way', 'ways', 'possible', 'let', 'lets', 'one', 'want', 'wants', 'wanted', 'please', 'explain', 'tell', 'know',
  'anyone', 'someone', 'something', 'anything', 'thing', 'things', 'get', 'gets', 'got',
  // contractions split at the apostrophe ("don't" → "don", "t")
  'don', 'doesn', 'isn', 'aren', 'won', 'didn', 'll', 've', 're',
]);
