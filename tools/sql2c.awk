# sql2c.awk — embeds SQL files into C at build time.
#
#   awk -v mode=queries -f sql2c.awk queries.sql   # one LS_SQ_QUERY(name, "sql") per `-- name: X` block
#   awk -v mode=blob -v var=NAME -f sql2c.awk f.sql # static const char NAME[] = "whole file";
#
# Comment-only lines are dropped; everything else is kept verbatim, escaped.
function esc(s) { gsub(/\\/, "&&", s); gsub(/"/, "\\\"", s); return s }
function flush() { if (name != "") { printf "LS_SQ_QUERY(%s, %s)\n", name, (body == "" ? "\"\"" : body) } }
BEGIN { name = ""; body = ""; if (mode == "blob") printf "static const char %s[] =\n", var }
mode == "queries" && /^-- name: / { flush(); name = $3; body = ""; next }
/^[ \t]*--/ { next }
/^[ \t]*$/ { next }
mode == "queries" { if (name != "") body = body "\n  \"" esc($0) "\\n\"" ; next }
mode == "blob" { printf "  \"%s\\n\"\n", esc($0) }
END { if (mode == "queries") flush(); else print ";" }
