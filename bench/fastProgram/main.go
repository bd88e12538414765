// The fast-mode benchmark's workload: N heap allocations (default 100,000) on three lines, none of
// them a tiny allocation (each is 16 bytes or more, or holds pointers), so that the runtime's
// profile sees every one and fast mode never has to stop. With BENCH_PROFILE_EVERY_ALLOCATION set,
// the program turns on what fast mode turns on (runtime.MemProfileRate = 1) by itself, to measure
// the runtime's own cost of recording every allocation without a debugger.
package main

import (
	"os"
	"runtime"
	"strconv"
)

type node struct {
	value int
	next  *node
}

type point struct{ x, y int }

var (
	chain  *node
	buffer []byte
	boxed  interface{}
)

func main() {
	if os.Getenv("BENCH_PROFILE_EVERY_ALLOCATION") != "" {
		runtime.MemProfileRate = 1
	}
	n := 100000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	for i := 0; i < n/3; i++ {
		chain = &node{value: i, next: chain} // 16 bytes with a pointer
		buffer = make([]byte, 32+i%32)       // 32 to 63 bytes
		boxed = point{i, i}                  // 16 bytes, boxed in an interface
		if i%1000 == 999 {
			chain = nil
		}
	}
}
