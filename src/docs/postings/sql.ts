/**
 * A string as a SQL literal, for the few places where DuckDB takes no parameter: the lake's
 * delete predicates and the file lists of table functions. Values are bound wherever DuckDB can.
 * The lake's own quoting (src/lake/sql.ts, which imports nothing but core).
 */
export { quoteLiteral as sqlString } from '../../lake/sql.js';
