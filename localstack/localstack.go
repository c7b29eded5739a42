// Package localstack runs the provisioner and its tests against an AWS emulator: LocalStack in
// the dev loop, moto server where no Docker engine runs. It knows how to tell the two apart, how
// to wait until one answers, and how to start a private moto server for a test package.
package localstack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Flavor names the emulator answering at an endpoint.
type Flavor string

const (
	LocalStack Flavor = "localstack"
	Moto       Flavor = "moto"
)

// MotoVersion is the moto release the start script and the test helper install.
const MotoVersion = "5.2.5"

var errNotEmulator = errors.New("no LocalStack or moto health endpoint answers")

// Detect asks endpoint which emulator it is. It returns an error when neither LocalStack's
// /_localstack/health nor moto's /moto-api/data.json answers with 200.
func Detect(ctx context.Context, endpoint string) (Flavor, error) {
	probes := []struct {
		path   string
		flavor Flavor
	}{{"/_localstack/health", LocalStack}, {"/moto-api/data.json", Moto}}
	for _, p := range probes {
		if ok(ctx, endpoint+p.path) {
			return p.flavor, nil
		}
	}
	return "", fmt.Errorf("detect emulator %s: %w", endpoint, errNotEmulator)
}

func ok(ctx context.Context, url string) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// WaitReady polls endpoint until an emulator answers or ctx ends.
func WaitReady(ctx context.Context, endpoint string) (Flavor, error) {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		f, err := Detect(ctx, endpoint)
		if err == nil {
			return f, nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("wait for emulator %s: %w (%v)", endpoint, ctx.Err(), err)
		case <-tick.C:
		}
	}
}
