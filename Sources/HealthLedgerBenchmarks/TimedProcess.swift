import Foundation

/// Runs `executable` with `arguments`, its standard output to /dev/null, and returns the
/// seconds until it exits. Not `Process`: on Linux its `waitUntilExit` polls every 50 ms,
/// which rounds a quarter-second append up by as much as a fifth.
func timedRun(_ executable: String, _ arguments: [String]) -> Double {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid = pid_t()
    let start = now()
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    precondition(spawned == 0, "cannot run \(executable): \(String(cString: strerror(spawned)))")
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    let elapsed = now() - start
    precondition(status == 0, "\(executable) \(arguments.joined(separator: " ")) failed (wait status \(status))")
    return elapsed
}
