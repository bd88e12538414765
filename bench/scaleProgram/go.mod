module malloclens.dev/bench/scaleprogram

go 1.21
