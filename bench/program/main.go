// The benchmark's workload: N heap allocations (default 3000) spread over a few lines.
package main

import (
	"os"
	"strconv"
)

type node struct {
	value int
	next  *node
}

var (
	list  *node
	names []string
	table map[int]string
)

func main() {
	n := 3000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	table = make(map[int]string, 16)
	for i := 0; i < n/3; i++ {
		list = &node{value: i, next: list}
		names = append(names[:0], strconv.Itoa(i*1000))
		table[i%16] = names[0] + "!"
	}
}
