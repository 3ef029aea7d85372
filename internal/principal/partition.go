package principal

import (
	"slices"
	"strings"
)

// Partitions lists the AWS partitions a principal may be in.
var Partitions = []string{"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}

// regionPrefixes maps the start of a region name to its partition; regions matching none are in "aws".
var regionPrefixes = []struct{ prefix, partition string }{
	{"cn-", "aws-cn"},
	{"us-gov-", "aws-us-gov"},
	{"us-iso-", "aws-iso"},
	{"us-isob-", "aws-iso-b"},
	{"eu-isoe-", "aws-iso-e"},
	{"us-isof-", "aws-iso-f"},
	{"eusc-", "aws-eusc"},
}

// PartitionForRegion returns the partition a region belongs to, such as aws-cn for cn-north-1, and "aws" for
// any region it does not recognise.
func PartitionForRegion(region string) string {
	for _, r := range regionPrefixes {
		if strings.HasPrefix(region, r.prefix) {
			return r.partition
		}
	}
	return defaultPartition
}

// isPartition reports whether partition is one of Partitions.
func isPartition(partition string) bool {
	return slices.Contains(Partitions, partition)
}

// checkProviderPartition rejects a provider partition that is set but not supported.
func checkProviderPartition(providerPartition string) *Problem {
	if providerPartition == "" || isPartition(providerPartition) {
		return nil
	}
	return newProblem(
		"Unknown AWS partition",
		"The provider's partition %q is not an AWS partition, so no principal can be checked against it. "+
			"Supported partitions: %s.",
		providerPartition,
		strings.Join(Partitions, ", "),
	)
}

// unknownPartition reports an ARN whose partition is not supported.
func unknownPartition(value, partition string) *Problem {
	return newProblem(
		"Unknown AWS partition",
		"%q names partition %q, which is not an AWS partition. Use one of: %s.",
		value,
		partition,
		strings.Join(Partitions, ", "),
	)
}

// checkSamePartition rejects a principal outside the provider's partition, when that partition is known.
func checkSamePartition(value, partition, providerPartition string) *Problem {
	if providerPartition == "" || partition == providerPartition {
		return nil
	}
	return newProblem(
		"Partition mismatch",
		"%q is in partition %q, but the provider works in partition %q, "+
			"and a role cannot trust a principal from another partition. "+
			"Use an ARN that starts with \"arn:%s:\".",
		value,
		partition,
		providerPartition,
		providerPartition,
	)
}
