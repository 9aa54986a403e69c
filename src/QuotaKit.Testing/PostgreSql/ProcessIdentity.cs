using System.Runtime.InteropServices;

namespace QuotaKit.Testing;

/// <summary>Whether this process runs as root (PostgreSQL refuses to run as root, so the launcher switches user).</summary>
internal static class ProcessIdentity
{
    public static bool IsRoot => !OperatingSystem.IsWindows() && NativeMethods.geteuid() == 0;

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = false)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern uint geteuid();
    }
}
