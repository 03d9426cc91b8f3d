// loadgen: POSTs JSON bodies taken in turn from a file (one per line), so a load can vary what
// it sends, which hey cannot. Prints one CSV line per request in hey's columns (offset and
// response-time in seconds, status-code), so one parser reads both.
//
// With -rate, requests are scheduled at that many per second in all and each latency counts
// from its scheduled moment, not from when a free worker sent it: a server that falls behind
// is charged for the queue it caused (no coordinated omission).
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// A repeatable flag's values.
type headers []string

func (h *headers) String() string     { return strings.Join(*h, ", ") }
func (h *headers) Set(v string) error { *h = append(*h, v); return nil }

type result struct {
	offset, took time.Duration
	status       int
}

func main() {
	var urls headers
	flag.Var(&urls, "url", "where to POST (repeatable: requests take the URLs in turn, as a Service spreads them over replicas)")
	bodiesPath := flag.String("bodies", "", "a file of request bodies, one per line")
	total := flag.Int("n", 1000, "requests in all")
	workers := flag.Int("c", 10, "requests in flight at most")
	rate := flag.Float64("rate", 0, "requests per second in all (0: as fast as answered)")
	var extra headers
	flag.Var(&extra, "H", "a header, 'Name: value' (repeatable)")
	flag.Parse()
	bodies, err := readBodies(*bodiesPath)
	if len(urls) == 0 || err != nil || len(bodies) == 0 {
		fmt.Fprintln(os.Stderr, "loadgen: -url and a non-empty -bodies file are required:", err)
		os.Exit(2)
	}
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: *workers, MaxConnsPerHost: *workers},
	}
	type job struct {
		n       int
		planned time.Time
	}
	jobs := make(chan job, *total)
	results := make([]result, *total)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				sent := time.Now()
				if *rate > 0 {
					sent = j.planned
				}
				status := post(client, urls[j.n%len(urls)], bodies[j.n%len(bodies)], extra)
				results[j.n] = result{sent.Sub(start), time.Since(sent), status}
			}
		}()
	}
	for n := 0; n < *total; n++ {
		planned := start
		if *rate > 0 {
			planned = start.Add(time.Duration(float64(n) / *rate * float64(time.Second)))
			time.Sleep(time.Until(planned))
		}
		jobs <- job{n, planned}
	}
	close(jobs)
	wg.Wait()
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	fmt.Fprintln(out, "response-time,status-code,offset")
	for _, r := range results {
		fmt.Fprintf(out, "%.6f,%d,%.6f\n", r.took.Seconds(), r.status, r.offset.Seconds())
	}
}

func post(client *http.Client, url string, body []byte, extra headers) int {
	request, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	request.Header.Set("Content-Type", "application/json")
	for _, h := range extra {
		if name, value, ok := strings.Cut(h, ":"); ok {
			request.Header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
		}
	}
	response, err := client.Do(request)
	if err != nil {
		return 0
	}
	defer response.Body.Close()
	io.Copy(io.Discard, response.Body)
	return response.StatusCode
}

func readBodies(path string) ([][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var bodies [][]byte
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) > 0 {
			bodies = append(bodies, line)
		}
	}
	return bodies, nil
}
