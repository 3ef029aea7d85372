package acctest

import (
	"math/rand/v2"
	"net/http"
)

// Chaos makes a share of the IAM calls through a Proxy fail at random, reproducibly for a seed. STS calls are
// left alone, so that configuring the provider stays reliable. Faults added with Inject take precedence.
type Chaos struct {
	Seed int64
	// Throttle is the share of calls answered 400 Throttling without being forwarded.
	Throttle float64
	// ServerError is the share of calls answered 500 InternalFailure without being forwarded.
	ServerError float64
	// Lost is the share of writes (not Get* or List*) forwarded to the emulator, so that they take effect, and
	// then answered 500 InternalFailure, as when the answer is lost.
	Lost float64
}

type chaos struct {
	Chaos
	random *rand.Rand
}

// SetChaos starts injecting random faults; the zero Chaos stops it.
func (p *Proxy) SetChaos(c Chaos) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.chaos = nil
	if c != (Chaos{Seed: c.Seed}) {
		p.chaos = &chaos{Chaos: c, random: rand.New(rand.NewPCG(uint64(c.Seed), uint64(c.Seed)))}
	}
}

// chaosFault draws the fault for one call, or nil to forward it.
func (p *Proxy) chaosFault(call Call) *Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.chaos == nil || call.Service != "iam" {
		return nil
	}
	draw := p.chaos.random.Float64()
	switch {
	case draw < p.chaos.Throttle:
		return &Fault{Code: "Throttling", Message: "Rate exceeded"}
	case draw < p.chaos.Throttle+p.chaos.ServerError:
		return &Fault{Code: "InternalFailure", Message: "injected server error", Status: http.StatusInternalServerError}
	case !isRead(call.Action) && p.chaos.random.Float64() < p.chaos.Lost:
		return &Fault{Lost: true}
	}
	return nil
}
