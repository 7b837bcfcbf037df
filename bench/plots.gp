# plots.gp — the PNG plots of `make bench`, drawn from the data files that
# build/bench writes (report.c): DIR/bench-batch.dat, bench-scale-sqlite.dat,
# bench-scale-postgresql.dat,
# bench-writers.dat, each a column x then one quoted column per series.
#   gnuplot -e "dir='build'" bench/plots.gp
if (!exists("dir")) dir = "build"
set terminal pngcairo size 1000,720 font "sans,10"
set datafile missing "NaN"
set key below noenhanced
set termoption noenhanced
set grid
set logscale xy

# ncols(file): how many columns the file has
ncols(f) = system("head -1 '" . f . "' | awk -F'\" \"' '{ print NF + 1 }'") + 0

f = dir . "/bench-batch.dat"
set output dir . "/bench-batch.png"
set title "batch_upsert_businesses_tx: latency vs batch size (p50)"
set xlabel "businesses in the batch"
set ylabel "p50 (ms)"
plot for [i=2:ncols(f)] f using 1:i with linespoints title columnhead(i)

set output dir . "/bench-scale.png"
set multiplot layout 1,2 title "latency vs campaign size (p50)"
set xrange [*:*] writeback
set offsets graph 0.05, graph 0.05, 0, 0
set xlabel "businesses in the campaign"
set ylabel "p50 (ms)"
f = dir . "/bench-scale-sqlite.dat"
set title "SQLite, durable"
plot for [i=2:ncols(f)] f using 1:i with linespoints title columnhead(i)
f = dir . "/bench-scale-postgresql.dat"
set title "PostgreSQL"
plot for [i=2:ncols(f)] f using 1:i with linespoints title columnhead(i)
unset multiplot

f = dir . "/bench-writers.dat"
set output dir . "/bench-writers.png"
set title "concurrent durable writers: throughput (each writer its own handle; over HTTP, group commit off and on)"
set xlabel "writers"
set ylabel "calls/s"
unset logscale y
set yrange [0:*]
set logscale x 2
plot for [i=2:ncols(f)] f using 1:i with linespoints title columnhead(i)
