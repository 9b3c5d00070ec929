// A Go program that also uses C's malloc (cgo), for the heap_go test: C
// blocks come from glibc's malloc, called from a goroutine, while Go's
// own allocations live in the Go runtime's heap, which is not glibc's.
//
// Prints "held ADDR USABLE" for each C block (malloc_usable_size, glibc's
// own word), "callers F..." (main.main and its callers, as the Go runtime
// names them), then "ready", then answers "ping" with "pong N" until its
// input ends, blocked in a read on standard input.
package main

/*
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

static void *c_block(size_t n)
{
	void *p = malloc(n);
	if (p)
		memset(p, 0x5a, n);
	return p;
}

static size_t c_usable(void *p) { return malloc_usable_size(p); }
*/
import "C"

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
	"unsafe"
)

// Go allocations kept alive, so the Go heap holds something.
var keep [][]byte

func main() {
	done := make(chan []unsafe.Pointer)
	go func() {
		var blocks []unsafe.Pointer
		for i := 0; i < 64; i++ {
			blocks = append(blocks, C.c_block(C.size_t(24+i*40)))
		}
		done <- blocks
	}()
	blocks := <-done
	for i := 0; i < 2000; i++ {
		keep = append(keep, make([]byte, 64+i))
	}
	for _, p := range blocks {
		fmt.Printf("held %#x %d\n", uintptr(p), uint64(C.c_usable(p)))
	}
	pcs := make([]uintptr, 16)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(1, pcs)])
	var names []string
	for {
		f, more := frames.Next()
		names = append(names, f.Function)
		if !more {
			break
		}
	}
	fmt.Printf("callers %s\n", strings.Join(names, " "))
	fmt.Println("ready")
	in := bufio.NewScanner(os.Stdin)
	pongs := 0
	for in.Scan() {
		if in.Text() == "ping" {
			pongs++
			fmt.Printf("pong %d\n", pongs)
		}
	}
}
