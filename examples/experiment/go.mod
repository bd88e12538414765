module example.com/experiment

go 1.19
