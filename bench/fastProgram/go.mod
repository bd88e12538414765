module example.com/fastbench

go 1.19
