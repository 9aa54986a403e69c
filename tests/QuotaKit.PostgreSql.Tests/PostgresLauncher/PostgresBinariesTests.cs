using QuotaKit.Testing;

namespace QuotaKit.PostgreSql.Tests.PostgresLauncher;

public class PostgresBinariesTests
{
    [Fact]
    public void Without_server_binaries_the_error_says_what_to_install_and_how_to_use_an_existing_server()
    {
        var empty = Directory.CreateTempSubdirectory("quotakit-no-pg-").FullName;
        try
        {
            var find = () => PostgresBinaries.FindBinDirectory([null, empty, Path.Combine(empty, "missing")]);

            find.Should().Throw<InvalidOperationException>()
                .WithMessage("*apt-get install postgresql*")
                .And.Message.Should().Contain(PostgresBinaries.BinDirectoryVariable).And.Contain(SharedPostgres.ConnectionStringVariable);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    [Fact]
    public void The_machines_server_binaries_are_found_with_initdb_pg_ctl_and_postgres_side_by_side()
    {
        var directory = PostgresBinaries.FindBinDirectory();

        foreach (var tool in new[] { "initdb", "pg_ctl", "postgres" })
        {
            File.Exists(Path.Combine(directory, tool)).Should().BeTrue($"{tool} must be in {directory}");
        }
    }
}
