package ingest

import (
	"context"
	"sync"
)

// ordered is the one worker pipeline every reader uses: produce sends jobs
// (through send, which reports false once the pipeline is stopping), work
// turns each into a result on one of workers goroutines, and deliver gets
// the results one at a time, in the order the jobs were sent. At most
// 4*workers jobs are in flight (sent and not yet delivered), so memory is
// bounded by the size of a job and its result, however uneven the work.
//
// It returns produce's error, else ctx's. A job sent is always delivered,
// so deliver can recycle what a job holds. Panics in work and deliver
// propagate (readers that turn memory faults into errors guard inside).
func ordered[J, R any](ctx context.Context, workers int, produce func(send func(J) bool) error, work func(J) R, deliver func(R)) error {
	return orderedN(ctx, workers, 4*workers, produce, work, deliver)
}

// orderedN is ordered with at most inFlight jobs sent and not yet
// delivered (for jobs whose results are large).
func orderedN[J, R any](ctx context.Context, workers, inFlight int, produce func(send func(J) bool) error, work func(J) R, deliver func(R)) error {
	if workers < 1 {
		workers = 1
	}
	inFlight = max(inFlight, workers)
	type job struct {
		seq int
		j   J
	}
	type result struct {
		seq int
		r   R
	}
	jobs := make(chan job, workers)
	results := make(chan result, workers)
	tokens := make(chan struct{}, inFlight) // jobs in flight
	var prodErr error
	go func() {
		defer close(jobs)
		seq := 0
		prodErr = produce(func(j J) bool {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				return false
			}
			jobs <- job{seq, j}
			seq++
			return true
		})
	}()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- result{j.seq, work(j.j)}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()
	pending := map[int]R{}
	next := 0
	for res := range results {
		pending[res.seq] = res.r
		for {
			x, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			deliver(x)
			<-tokens
			next++
		}
	}
	if prodErr != nil {
		return prodErr
	}
	return ctx.Err()
}
