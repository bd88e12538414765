// The classic make() experiment: how many heap allocations does each line make?
// Run `npm start` (or `npx malloclens count --make examples/experiment`) to measure them.
package main

func main() {
	_ = make(map[int]int, 1000)
	_ = make([]int, 1000)
	_ = make([]int, 0, 1000)
	_ = make(map[int]int, 0)
}
