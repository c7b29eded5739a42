package main

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"golang.org/x/term"

	"github.com/provisioner-dev/provisioner/localstack/faults"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// globals are the flags every command shares.
type globals struct {
	region      string
	profile     string
	endpointURL string
	logLevel    string
	logFormat   string
	noColor     bool
	account     callAccount // --stats

	log    *zap.Logger
	faults *faults.Transport // PROVISIONER_FAULTS, tests only
}

func newRootCmd() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "provisioner",
		Short:         "Make an AWS account match a YAML spec, through the AWS APIs directly",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			log, err := g.newLogger(cmd)
			if err != nil {
				return err
			}
			g.log = log
			return nil
		},
		PersistentPostRun: func(*cobra.Command, []string) {
			g.reportFaults()
			if g.log != nil {
				_ = g.log.Sync()
			}
		},
	}
	f := root.PersistentFlags()
	f.StringVar(&g.region, "region", "", "AWS region (default: the spec's region, then the SDK's chain)")
	f.StringVar(&g.profile, "profile", "", "shared config profile (default: AWS_PROFILE or default)")
	f.StringVar(&g.endpointURL, "endpoint-url", "", "send every AWS call to this endpoint (default: AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>)")
	f.StringVar(&g.logLevel, "log-level", "info", "debug, info, warn or error")
	f.StringVar(&g.logFormat, "log-format", "", "console or json (default: console on a terminal, json otherwise)")
	f.BoolVar(&g.noColor, "no-color", os.Getenv("NO_COLOR") != "", "no colour in output (also NO_COLOR)")

	root.AddCommand(newVersionCmd(), newValidateCmd(g), newSchemaCmd(), newBuildCmd(),
		newPlanCmd(g), newApplyCmd(g), newDriftCmd(g), newDestroyCmd(g), newListCmd(g), newAPIKeyCmd(g), newUnlockCmd(g), newPolicyCmd(g))
	return withExamples(root)
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := version
			if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
				v = bi.Main.Version
			}
			fmt.Fprintf(cmd.OutOrStdout(), "provisioner %s\n", v)
			return nil
		},
	}
}

// newLogger builds the zap logger on stderr: console for people, JSON for machines.
func (g *globals) newLogger(cmd *cobra.Command) (*zap.Logger, error) {
	level, err := zapcore.ParseLevel(g.logLevel)
	if err != nil {
		return nil, fmt.Errorf("flag --log-level: %w", err)
	}
	format := g.logFormat
	if format == "" {
		format = "json"
		if isTerminal(os.Stderr) {
			format = "console"
		}
	}
	encCfg := zap.NewProductionEncoderConfig()
	encCfg.EncodeTime = zapcore.ISO8601TimeEncoder
	var enc zapcore.Encoder
	switch format {
	case "json":
		enc = zapcore.NewJSONEncoder(encCfg)
	case "console":
		encCfg.EncodeLevel = zapcore.CapitalColorLevelEncoder
		if g.noColor {
			encCfg.EncodeLevel = zapcore.CapitalLevelEncoder
		}
		enc = zapcore.NewConsoleEncoder(encCfg)
	default:
		return nil, fmt.Errorf("flag --log-format: want console or json, got %q", format)
	}
	core := zapcore.NewCore(enc, zapcore.AddSync(cmd.ErrOrStderr()), level)
	return zap.New(core), nil
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// awsConfig loads AWS configuration from the SDK's standard chain (env, shared config and
// profiles, SSO), with the global flags on top. The region is --region, else the spec's (the
// spec is the desired state), else the chain's, else us-east-1.
func (g *globals) awsConfig(ctx context.Context, specRegion string) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		// The default retryer gives up after 3 attempts and its token bucket runs dry in a large
		// apply; AWS control planes throttle, so retry longer with jittered backoff.
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 10
				o.MaxBackoff = 20 * time.Second
				o.RateLimiter = ratelimit.None
			})
		}),
	}
	if g.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(g.profile))
	}
	if g.endpointURL != "" {
		opts = append(opts, config.WithBaseEndpoint(g.endpointURL))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	switch {
	case g.region != "":
		cfg.Region = g.region
	case specRegion != "":
		cfg.Region = specRegion
	case cfg.Region == "":
		cfg.Region = "us-east-1" // the spec language's default
	}
	return cfg, nil
}
