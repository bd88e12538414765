// The scaling benchmark's workload (bench/realBench.ts): `scaleprogram MODE N [STACKS]` makes N
// heap allocations on one line, each kept in a package variable so that it escapes:
//
//	tiny    new(int64): 8 bytes without pointers, what the runtime's tiny allocator merges
//	bytes48 new([48]byte): 48 bytes without pointers, never merged
//	stacks  new([48]byte) from STACKS distinct call stacks (i % STACKS picks the stack), all of
//	        the same depth: a path of DEPTH calls through two functions, chosen by the bits of
//	        the stack's number, so that every stack is its own profile bucket
//
// With BENCH_PROFILE_EVERY_ALLOCATION set the program turns on what fast mode turns on
// (runtime.MemProfileRate = 1) by itself: the runtime's own cost, without a debugger.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
)

// depth is the calls between the loop and the allocation: 2^17 = 131,072 distinct paths.
const depth = 17

var (
	sinkInt *int64
	sink48  *[48]byte
)

func leaf() {
	sink48 = new([48]byte) // the hot line of stacks
}

func left(d, path int) {
	if d == 0 {
		leaf()
	} else if path&1 == 0 {
		left(d-1, path>>1)
	} else {
		right(d-1, path>>1)
	}
}

func right(d, path int) {
	if d == 0 {
		leaf()
	} else if path&1 == 0 {
		left(d-1, path>>1)
	} else {
		right(d-1, path>>1)
	}
}

func main() {
	if os.Getenv("BENCH_PROFILE_EVERY_ALLOCATION") != "" {
		runtime.MemProfileRate = 1
	}
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: scaleprogram tiny|bytes48|stacks N [STACKS]")
		os.Exit(2)
	}
	n, _ := strconv.Atoi(os.Args[2])
	switch os.Args[1] {
	case "tiny":
		for i := 0; i < n; i++ {
			sinkInt = new(int64) // the hot line of tiny
		}
	case "bytes48":
		for i := 0; i < n; i++ {
			sink48 = new([48]byte) // the hot line of bytes48
		}
	case "stacks":
		stacks, _ := strconv.Atoi(os.Args[3])
		if stacks < 1 || stacks > 1<<depth {
			fmt.Fprintf(os.Stderr, "STACKS must be 1 to %d\n", 1<<depth)
			os.Exit(2)
		}
		for i := 0; i < n; i++ {
			left(depth, i%stacks)
		}
	default:
		fmt.Fprintf(os.Stderr, "unknown mode %q\n", os.Args[1])
		os.Exit(2)
	}
}
