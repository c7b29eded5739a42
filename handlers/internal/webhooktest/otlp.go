package webhooktest

import (
	"bytes"
	"io"
	"net/http"
	"sync"

	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// OTLPSink is an OTLP/HTTP traces endpoint (POST /v1/traces, protobuf) that keeps the spans
// it is sent, standing in for the ADOT collector.
type OTLPSink struct {
	mu    sync.Mutex
	spans []*tracepb.Span
}

func (s *OTLPSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req coltrace.ExportTraceServiceRequest
	if r.URL.Path != "/v1/traces" || proto.Unmarshal(body, &req) != nil {
		http.Error(w, "not an OTLP traces export", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			s.spans = append(s.spans, ss.Spans...)
		}
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-protobuf")
}

// ByName returns the first span called name, or nil.
func (s *OTLPSink) ByName(name string) *tracepb.Span {
	return s.find(func(sp *tracepb.Span) bool { return sp.Name == name })
}

// ByID returns the span with id, or nil.
func (s *OTLPSink) ByID(id []byte) *tracepb.Span {
	return s.find(func(sp *tracepb.Span) bool { return bytes.Equal(sp.SpanId, id) })
}

func (s *OTLPSink) find(ok func(*tracepb.Span) bool) *tracepb.Span {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sp := range s.spans {
		if ok(sp) {
			return sp
		}
	}
	return nil
}
