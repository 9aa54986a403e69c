using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace QuotaKit.PostgreSql;

/// <summary>Carries the report columns into a context's options (see <see cref="QuotaKitDbContextOptionsExtensions.UseQuotaKitReports"/>).</summary>
internal sealed class QuotaKitReportOptionsExtension : IDbContextOptionsExtension
{
    public QuotaKitReportOptionsExtension(ReportColumns columns)
    {
        Columns = columns;
        Info = new ExtensionInfo(this);
    }

    public ReportColumns Columns { get; }

    public DbContextOptionsExtensionInfo Info { get; }

    public void ApplyServices(IServiceCollection services)
    {
    }

    public void Validate(IDbContextOptions options)
    {
    }

    private sealed class ExtensionInfo : DbContextOptionsExtensionInfo
    {
        public ExtensionInfo(QuotaKitReportOptionsExtension extension)
            : base(extension)
        {
        }

        public override bool IsDatabaseProvider => false;

        public override string LogFragment => "QuotaKitReports ";

        // The columns change the model, not EF's internal services: QuotaKitModelCacheKeyFactory keys the model on them.
        public override int GetServiceProviderHashCode() => 0;

        public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) => other is ExtensionInfo;

        public override void PopulateDebugInfo(IDictionary<string, string> debugInfo) =>
            debugInfo["QuotaKit:ReportColumns"] = ((QuotaKitReportOptionsExtension)Extension).Columns.Fingerprint;
    }
}
