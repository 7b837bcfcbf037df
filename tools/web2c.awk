# web2c.awk — embeds the dashboard's files (web/) into C at build time.
#
#   awk -v var=NAME -f web2c.awk FILE   # static const char NAME[] = "the whole file";
#
# Every line is kept verbatim (none dropped, unlike sql2c.awk's comments):
# backslash, double quote and question mark (no trigraphs) are escaped.
function esc(s) { gsub(/\\/, "&&", s); gsub(/"/, "\\\"", s); gsub(/\?/, "\\?", s); return s }
BEGIN { printf "static const char %s[] =\n", var }
{ printf "  \"%s\\n\"\n", esc($0) }
END { print "  \"\";" }
