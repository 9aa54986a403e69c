using System.Net;
using System.Net.Sockets;

namespace QuotaKit.PostgreSql.Tests.Infrastructure;

/// <summary>A loopback port nothing listens on: a connection to it is refused at once.</summary>
public static class ClosedPort
{
    /// <summary>A port the system just handed out and that was closed again.</summary>
    public static int Find()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
