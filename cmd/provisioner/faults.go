package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"go.uber.org/zap"

	"github.com/provisioner-dev/provisioner/localstack/faults"
)

// faultsEnv turns on fault injection, for tests and demos only: every AWS call goes through
// localstack/faults, e.g. PROVISIONER_FAULTS=throttle=0.2,drop=0.05,notfound=2,seed=1.
// Each fault is logged at debug level, and a summary at info when the command ends well.
const faultsEnv = "PROVISIONER_FAULTS"

// installFaults puts the fault harness under cfg when PROVISIONER_FAULTS asks for it.
func (g *globals) installFaults(cfg *aws.Config) error {
	s := os.Getenv(faultsEnv)
	if s == "" {
		return nil
	}
	o, err := faults.Parse(s)
	if err != nil {
		return fmt.Errorf("%s: %w", faultsEnv, err)
	}
	o.OnFault = func(fault string, c faults.Call) {
		g.log.Debug("injected fault", zap.String("fault", fault), zap.String("call", c.String()))
	}
	g.faults = faults.New(nil, o)
	g.faults.Install(cfg)
	g.log.Warn("injecting AWS faults (test only)", zap.String(faultsEnv, s))
	return nil
}

// reportFaults logs what the harness injected.
func (g *globals) reportFaults() {
	if g.faults != nil && g.log != nil {
		g.log.Info("injected faults", zap.String("summary", g.faults.Report()))
	}
}
