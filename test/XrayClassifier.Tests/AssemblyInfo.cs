using System.Runtime.Versioning;

// The function runs on Lambda's Amazon Linux and the tests drive Linux-only pieces (file modes, bind
// mounts, ELF libraries): say so once instead of guarding each call.
[assembly: SupportedOSPlatform("linux")]
