package faults

import (
	"bytes"
	"io"
	"net/http"
)

// The Resource Groups Tagging API is eventually consistent: a tag change shows in its answers
// only after a while. StaleIndex stands for the longest such lag: the index never catches up
// after its first answer to a request.

const (
	taggingService = "Resource Groups Tagging API"
	taggingRead    = "GetResources"
)

// staleAnswer is one recorded GetResources answer.
type staleAnswer struct {
	status int
	header http.Header
	body   []byte
}

// staleIndex answers a GetResources request the index has answered before with that first
// answer; nil when it is not one.
func (t *Transport) staleIndex(c Call, req *http.Request, body []byte) *http.Response {
	if !t.o.StaleIndex || c != (Call{taggingService, taggingRead}) {
		return nil
	}
	t.mu.Lock()
	a, ok := t.index[string(body)]
	t.mu.Unlock()
	if !ok {
		return nil
	}
	return &http.Response{StatusCode: a.status, Status: http.StatusText(a.status), Header: a.header.Clone(),
		Body: io.NopCloser(bytes.NewReader(a.body)), ContentLength: int64(len(a.body)), Request: req,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
}

// noteIndex records the first successful answer to each GetResources request.
func (t *Transport) noteIndex(c Call, reqBody []byte, resp *http.Response) (*http.Response, error) {
	if !t.o.StaleIndex || c != (Call{taggingService, taggingRead}) || resp.StatusCode != http.StatusOK {
		return resp, nil
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	t.mu.Lock()
	if _, ok := t.index[string(reqBody)]; !ok {
		t.index[string(reqBody)] = staleAnswer{status: resp.StatusCode, header: resp.Header.Clone(), body: b}
	}
	t.mu.Unlock()
	return resp, nil
}
