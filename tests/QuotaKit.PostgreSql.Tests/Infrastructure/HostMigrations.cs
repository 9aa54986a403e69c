using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;

namespace QuotaKit.PostgreSql.Tests.Infrastructure;

/// <summary>Runs a migration's operations, as a host's own migration would, against the context's database.</summary>
public static class HostMigrations
{
    public static async Task ExecuteAsync(DbContext context, MigrationBuilder migration)
    {
        var commands = context.GetService<IMigrationsSqlGenerator>().Generate(migration.Operations, context.Model);
        await context.GetService<IMigrationCommandExecutor>().ExecuteNonQueryAsync(commands, context.GetService<IRelationalConnection>());
    }

    /// <summary>The operations <c>dotnet ef migrations add</c> generates for <paramref name="context"/>'s model from nothing
    /// (<paramref name="down"/>: back to nothing).</summary>
    public static MigrationBuilder ModelOperations(DbContext context, bool down = false)
    {
        var model = context.GetService<IDesignTimeModel>().Model.GetRelationalModel();
        var differ = context.GetService<IMigrationsModelDiffer>();
        var migration = new MigrationBuilder(context.Database.ProviderName);
        migration.Operations.AddRange(down ? differ.GetDifferences(model, null) : differ.GetDifferences(null, model));
        return migration;
    }
}
