package webhook

import (
	"context"
	"io"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// NewLogger returns a JSON logger writing to w (stdout in Lambda, which CloudWatch Logs
// captures). An unknown level falls back to info with a warning: a typo in LOG_LEVEL must not
// stop a payment function from starting.
func NewLogger(w io.Writer, level string) *zap.Logger {
	lvl := zapcore.InfoLevel
	badLevel := false
	if level != "" {
		if l, err := zapcore.ParseLevel(level); err == nil {
			lvl = l
		} else {
			badLevel = true
		}
	}
	enc := zap.NewProductionEncoderConfig()
	enc.TimeKey = "time"
	enc.EncodeTime = zapcore.RFC3339NanoTimeEncoder
	// Locked: the records of a batch log concurrently.
	log := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(enc), zapcore.Lock(zapcore.AddSync(w)), lvl))
	if badLevel {
		log.Warn("unknown LOG_LEVEL, using info", zap.String("log_level", level))
	}
	return log
}

// WithRequest adds the Lambda request id of ctx, when there is one, so that every line of an
// invocation can be found together.
func WithRequest(ctx context.Context, log *zap.Logger) *zap.Logger {
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		return log.With(zap.String("aws_request_id", lc.AwsRequestID))
	}
	return log
}
