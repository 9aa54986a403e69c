using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace QuotaKit.PostgreSql;

/// <summary>
/// EF caches one model per context type; QuotaKit's model also depends on the configured report columns, so two
/// contexts of one type with different columns (tests, a tool reading several configurations) need two models.
/// </summary>
internal sealed class QuotaKitModelCacheKeyFactory : IModelCacheKeyFactory
{
    public object Create(DbContext context, bool designTime) =>
        (context.GetType(), designTime, context.GetService<IDbContextOptions>().FindExtension<QuotaKitReportOptionsExtension>()?.Columns.Fingerprint);
}
