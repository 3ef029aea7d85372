package applianceemu

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"time"
)

// Fault makes the emulator answer matching requests badly.
type Fault struct {
	// Op is the operation to fail (create, update, list, token, ...); "" matches every one.
	Op string
	// Times is how many matching requests fail; 0 means every one.
	Times int
	// Status answers with this status without doing anything (500 from the backend; 502, 503 or 504 as nginx
	// pages). With Lost, it is the status the lost answer turns into (0 drops the connection instead).
	Status int
	// Lost handles the request, so that it takes effect, and then loses the answer.
	Lost bool
	// Delay waits before anything else happens (latency).
	Delay time.Duration
}

// Chaos makes a share of all requests (logouts excepted) fail at random, reproducibly for a seed. Faults added
// with Inject take precedence.
type Chaos struct {
	Seed uint64
	// ServerError is the share answered 500 without effect.
	ServerError float64
	// Unavailable is the share answered 503 by the front end without effect.
	Unavailable float64
	// Lost is the share handled and then answered with nothing: half drop the connection, half get 504 (the
	// front end timed out waiting for a backend that finished anyway).
	Lost float64
	// Latency delays every request.
	Latency time.Duration
}

type chaos struct {
	Chaos
	random *rand.Rand
}

// Inject adds a fault; faults for the same operation are used in the order they were added.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// SetChaos starts failing requests at random; the zero Chaos stops it.
func (s *Server) SetChaos(c Chaos) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chaos = nil
	if c != (Chaos{Seed: c.Seed}) {
		s.chaos = &chaos{Chaos: c, random: rand.New(rand.NewPCG(c.Seed, c.Seed^0x5eed))} //nolint:gosec
	}
}

// Injected returns how many faults were applied, per kind and operation, such as "lost create" or "503 get".
func (s *Server) Injected() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.injected)
}

func (s *Server) note(what string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.injected[what]++
}

// takeFault returns the fault for one request, or nil.
func (s *Server) takeFault(op string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Op != "" && f.Op != op {
			continue
		}
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
		}
		taken := *f
		return &taken
	}
	if s.chaos == nil || op == opLogout {
		return nil
	}
	c := s.chaos
	draw := c.random.Float64()
	switch {
	case draw < c.ServerError:
		return &Fault{Status: http.StatusInternalServerError, Delay: c.Latency}
	case draw < c.ServerError+c.Unavailable:
		return &Fault{Status: http.StatusServiceUnavailable, Delay: c.Latency}
	case draw < c.ServerError+c.Unavailable+c.Lost:
		status := 0
		if c.random.IntN(2) == 0 {
			status = http.StatusGatewayTimeout
		}
		return &Fault{Lost: true, Status: status, Delay: c.Latency}
	case c.Latency > 0:
		return &Fault{Delay: c.Latency}
	}
	return nil
}

// writeFault answers with a failure that had no effect: a backend 500 carries Veeam's Error body
// (errorCode UnknownError, verified enum), the front end's 502, 503 and 504 are nginx HTML pages (inferred).
func writeFault(w http.ResponseWriter, status int) {
	if status == http.StatusInternalServerError {
		writeProblem(w, status, "unknownError", "Internal Server Error", "UnknownError", "Injected server error.")
		return
	}
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	text := fmt.Sprintf("%d %s", status, http.StatusText(status))
	_, _ = fmt.Fprintf(w, "<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1></center>\r\n"+
		"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", text, text)
}

// loseAnswer replaces the answer of a request that took effect: with status 0 the connection is dropped
// mid-answer, otherwise the front end's page for status is sent.
func loseAnswer(w http.ResponseWriter, status int) {
	if status != 0 {
		writeFault(w, status)
		return
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		writeFault(w, http.StatusGatewayTimeout)
		return
	}
	_ = conn.Close()
}
