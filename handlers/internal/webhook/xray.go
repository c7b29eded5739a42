package webhook

import (
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-xray-sdk-go/instrumentation/awsv2"
	"github.com/aws/aws-xray-sdk-go/strategy/ctxmissing"
	"github.com/aws/aws-xray-sdk-go/xray"
	"github.com/aws/aws-xray-sdk-go/xraylog"
	"go.uber.org/zap"
)

// Instrument adds X-Ray subsegments to every AWS call made with cfg. In Lambda with active
// tracing the runtime hands each invocation a trace header, and the X-Ray SDK hangs the
// subsegments under the function's segment and sends them to the daemon Lambda runs. Outside
// Lambda (tests, a bootstrap under the runtime interface emulator without a trace header)
// there is no segment; the context-missing strategy is then "log", never the SDK's "panic"
// option, so an untraced call still goes through. AWS_XRAY_CONTEXT_MISSING, when set, wins.
//
// This is the only place that knows about X-Ray, so that moving to OpenTelemetry (the X-Ray
// SDKs are in maintenance mode) changes this file alone.
func Instrument(cfg *aws.Config, log *zap.Logger) {
	xray.SetLogger(xrayLogger{log: log.Named("xray")})
	if os.Getenv("AWS_XRAY_CONTEXT_MISSING") == "" {
		// Configure only fails on a bad sampling rule or daemon address; neither is set here.
		_ = xray.Configure(xray.Config{ContextMissingStrategy: ctxmissing.NewDefaultLogErrorStrategy()})
	}
	awsv2.AWSV2Instrumentor(&cfg.APIOptions)
}

// xrayLogger sends the X-Ray SDK's own messages to zap: warnings as warnings, its info and debug
// chatter at debug. A missing segment is reported by the SDK at error level; outside Lambda that
// is expected, so it is logged at debug there too.
type xrayLogger struct{ log *zap.Logger }

func (l xrayLogger) Log(level xraylog.LogLevel, msg fmt.Stringer) {
	switch level {
	case xraylog.LogLevelWarn:
		l.log.Warn(msg.String())
	case xraylog.LogLevelError:
		if os.Getenv("LAMBDA_TASK_ROOT") == "" {
			l.log.Debug(msg.String())
			return
		}
		l.log.Error(msg.String())
	default:
		l.log.Debug(msg.String())
	}
}

// Start runs handler as the function's Lambda handler.
func Start(handler any) { lambda.Start(handler) }
