module example.com/benchprogram

go 1.19
