package awscall

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/reconcile"
)

// fakeListIn and fakeListOut stand for a listing call's input and output.
type fakeListIn struct{ Token *string }
type fakeListOut struct {
	Items []string
	Next  *string
}
type fakeOptions struct{}

// TestPages: every page is read, each with the token the previous one gave; a retryable
// answer is retried for that page only, another error ends the listing.
func TestPages(t *testing.T) {
	pages := map[string]fakeListOut{
		"":   {Items: []string{"a", "b"}, Next: aws.String("p2")},
		"p2": {Items: []string{"c"}, Next: aws.String("p3")},
		"p3": {Items: []string{"d"}, Next: aws.String("")},
	}
	for _, tc := range []struct {
		name    string
		fail    map[string]error // the first answer for a token
		retry   func(error) bool
		want    []string
		wantErr string
	}{
		{"three pages", nil, Never, []string{"a", "b", "c", "d"}, ""},
		{"a throttled page is read again", map[string]error{"p2": apiErr(ThrottleCodes[0])}, RetryCodes(), []string{"a", "b", "c", "d"}, ""},
		{"another error ends it", map[string]error{"p3": apiErr("AccessDenied")}, RetryCodes(), nil, "AccessDenied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sent []string
			call := func(_ context.Context, in *fakeListIn, _ ...func(*fakeOptions)) (*fakeListOut, error) {
				tok := aws.ToString(in.Token)
				sent = append(sent, tok)
				if err := tc.fail[tok]; err != nil {
					delete(tc.fail, tok)
					return nil, err
				}
				out := pages[tok]
				return &out, nil
			}
			in := &fakeListIn{Token: aws.String("stale")}
			got, err := Pages(context.Background(), reconcile.InstantBackoff, tc.retry, in, &in.Token, call,
				func(o *fakeListOut) ([]string, *string) { return o.Items, o.Next })
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, "", sent[0], "the first page is read without a token")
		})
	}
}

func TestTruncated(t *testing.T) {
	assert.Nil(t, Truncated(false, aws.String("m")))
	assert.Equal(t, "m", aws.ToString(Truncated(true, aws.String("m"))))
}
