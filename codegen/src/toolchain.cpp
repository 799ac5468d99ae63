#include "codegen/toolchain.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace codegen {

namespace {

// The tool naclc is waiting for. SIGINT/SIGTERM/SIGHUP sent to naclc are passed on to it, so naclc outlives
// it and removes its temporary files and partial outputs on the way out (Ctrl-C during `naclc run` stops
// QEMU; a `kill` of naclc does too) instead of dying first and leaving both behind.
volatile std::sig_atomic_t waited_for = 0;

extern "C" void pass_signal_on(int signal) {
    if (waited_for > 0) kill(static_cast<pid_t>(waited_for), signal);
}

class SignalsPassedOn {
public:
    explicit SignalsPassedOn(pid_t child) {
        waited_for = child;
        struct sigaction action {};
        action.sa_handler = pass_signal_on;
        sigemptyset(&action.sa_mask);
        for (std::size_t i = 0; i < std::size(signals_); ++i)
            sigaction(signals_[i], &action, &previous_[i]);
    }
    ~SignalsPassedOn() {
        for (std::size_t i = 0; i < std::size(signals_); ++i)
            sigaction(signals_[i], &previous_[i], nullptr);
        waited_for = 0;
    }
    SignalsPassedOn(const SignalsPassedOn&) = delete;
    SignalsPassedOn& operator=(const SignalsPassedOn&) = delete;

private:
    static constexpr int signals_[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction previous_[std::size(signals_)]{};
};

} // namespace

const std::vector<std::string>& FlagsFile::all(const std::string& key) const {
    static const std::vector<std::string> none;
    auto it = entries.find(key);
    return it == entries.end() ? none : it->second;
}

std::string FlagsFile::one(const std::string& key) const {
    const auto& values = all(key);
    return values.empty() ? std::string() : values.front();
}

std::optional<FlagsFile> read_flags_file(const std::filesystem::path& path, std::string& error) {
    std::ifstream in(path);
    if (!in) {
        error = "cannot read " + path.string() + " (build naclc with CMake: it writes the flags files)";
        return std::nullopt;
    }
    FlagsFile file{path, {}};
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        auto space = line.find(' ');
        std::string key = line.substr(0, space);
        std::string value = space == std::string::npos ? std::string() : line.substr(space + 1);
        file.entries[key].push_back(value);
    }
    if (file.one("format") != "1") {
        error = path.string() + ": unknown format '" + file.one("format") + "'";
        return std::nullopt;
    }
    return file;
}

std::filesystem::path halite_lib_dir() {
    if (const char* dir = std::getenv("HALITE_LIB_DIR"); dir && *dir) return dir;
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return "lib/halite";
    return exe.parent_path().parent_path() / "lib" / "halite";
}

int run_tool(const std::vector<std::string>& argv, const std::string& input, const std::string& output,
             std::string& log) {
    char log_template[] = "/tmp/naclc-log-XXXXXX";
    int log_fd = mkstemp(log_template);
    if (log_fd < 0) {
        log = "cannot create a temporary file";
        return -1;
    }
    unlink(log_template);
    pid_t pid = fork();
    if (pid < 0) {
        close(log_fd);
        log = "cannot start " + argv[0];
        return -1;
    }
    if (pid == 0) {
        int in = open(input.empty() ? "/dev/null" : input.c_str(), O_RDONLY);
        int out = output.empty() ? log_fd : open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0) _exit(127);
        dup2(in, 0);
        dup2(out, 1);
        dup2(log_fd, 2);
        std::vector<char*> args;
        for (auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        const char message[] = "cannot execute the program\n";
        (void)!write(2, message, sizeof message - 1);
        _exit(127);
    }
    int status = 0;
    bool reaped = true;
    {
        SignalsPassedOn passed_on(pid);
        // Only an interrupted wait is retried: ECHILD (the child was reaped elsewhere, e.g. SIGCHLD ignored
        // by whoever started naclc) would fail forever.
        while (waitpid(pid, &status, 0) < 0) {
            if (errno != EINTR) {
                reaped = false;
                break;
            }
        }
    }
    if (!reaped) {
        close(log_fd);
        log = "cannot wait for " + argv[0] + ": " + std::strerror(errno) + "\n";
        return -1;
    }
    lseek(log_fd, 0, SEEK_SET);
    log.clear();
    char buf[4096];
    ssize_t n;
    while ((n = read(log_fd, buf, sizeof buf)) > 0)
        log.append(buf, size_t(n));
    close(log_fd);
    if (WIFSIGNALED(status)) {
        log += argv[0] + " died of signal " + std::to_string(WTERMSIG(status)) + "\n";
        return -1;
    }
    return WEXITSTATUS(status);
}

TempDir::TempDir() {
    std::string base = (std::filesystem::temp_directory_path() / "naclc-XXXXXX").string();
    if (mkdtemp(base.data())) path_ = base;
}

TempDir::~TempDir() {
    if (!keep_ && !path_.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
}

bool write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    return bool(out);
}

bool replace_file(const std::filesystem::path& output,
                  const std::function<bool(const std::filesystem::path& temporary)>& write) {
    auto temporary = output;
    temporary += ".naclc-partial";
    std::error_code ec;
    if (write(temporary)) {
        std::filesystem::rename(temporary, output, ec);
        if (!ec) return true;
    }
    std::filesystem::remove(temporary, ec);
    return false;
}

} // namespace codegen
