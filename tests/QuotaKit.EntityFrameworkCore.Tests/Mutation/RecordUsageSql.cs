using QuotaKit.EntityFrameworkCore.Sql;

namespace QuotaKit.EntityFrameworkCore.Tests.Mutation;

/// <summary>The shipped text of <c>quotakit.record_usage</c> (a <c>CREATE OR REPLACE FUNCTION</c> statement).</summary>
internal static class RecordUsageSql
{
    // The one place the harness reads the function: when it moves to a frozen file, read that file here instead.
    public static string CreateFunction => RecordUsageFunction.Create;
}
