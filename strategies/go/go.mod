module concbench/go-goroutines

go 1.19
