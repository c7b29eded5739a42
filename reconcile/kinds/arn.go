package kinds

// Helpers for the ARNs and endpoints the kinds build themselves, for APIs that do not return them.

import "strings"

// partition is the ARN partition of a region: aws-cn for the China regions, aws-us-gov for
// GovCloud, the isolated partitions for theirs, and aws everywhere else.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "us-isof-"):
		return "aws-iso-f"
	}
	return "aws"
}

// dnsSuffix is the domain of a region's public service endpoints: amazonaws.com.cn in the
// China regions, amazonaws.com elsewhere.
func dnsSuffix(region string) string {
	if partition(region) == "aws-cn" {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}
