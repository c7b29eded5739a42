package kinds

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPartition(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1":       "aws",
		"eu-west-1":       "aws",
		"ap-southeast-2":  "aws",
		"cn-north-1":      "aws-cn",
		"cn-northwest-1":  "aws-cn",
		"us-gov-west-1":   "aws-us-gov",
		"us-gov-east-1":   "aws-us-gov",
		"us-iso-east-1":   "aws-iso",
		"us-isob-east-1":  "aws-iso-b",
		"eu-isoe-west-1":  "aws-iso-e",
		"us-isof-south-1": "aws-iso-f",
		"":                "aws",
		"cn":              "aws", // a prefix needs its dash
		"us-gov":          "aws",
	} {
		assert.Equal(t, want, partition(region), region)
	}
}

func TestDNSSuffix(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1":      "amazonaws.com",
		"us-gov-west-1":  "amazonaws.com",
		"cn-north-1":     "amazonaws.com.cn",
		"cn-northwest-1": "amazonaws.com.cn",
	} {
		assert.Equal(t, want, dnsSuffix(region), region)
	}
}
