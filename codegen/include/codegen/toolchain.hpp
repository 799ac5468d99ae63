#pragma once
// What naclc needs to compile generated C++ without CMake: the flags files CMake writes into
// build/lib/halite/ (cmake/HaliteImage.cmake, os/README.md), found next to naclc itself, and a way to
// run the tools.

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace codegen {

// `key value` lines; list keys repeat in order.
struct FlagsFile {
    std::filesystem::path path;
    std::map<std::string, std::vector<std::string>> entries;

    const std::vector<std::string>& all(const std::string& key) const;
    std::string one(const std::string& key) const; // the first value, or empty
};

// Reads a flags file; on failure returns none and sets `error`.
std::optional<FlagsFile> read_flags_file(const std::filesystem::path& path, std::string& error);

// build/lib/halite/ for naclc at build/bin/naclc; HALITE_LIB_DIR overrides it.
std::filesystem::path halite_lib_dir();

// Runs argv[0] (searched in PATH) with stdin from `input` (empty: /dev/null) and stdout to `output`
// (empty: captured with stderr into `log`). Returns the exit status, or -1 when it could not run or
// died of a signal (described in `log`).
int run_tool(const std::vector<std::string>& argv, const std::string& input, const std::string& output,
             std::string& log);

// A private temporary directory, removed when the object dies (unless keep() was called).
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    bool ok() const { return !path_.empty(); }
    void keep() { keep_ = true; }

private:
    std::filesystem::path path_;
    bool keep_ = false;
};

// Writes `text` to `path`; false on failure.
bool write_file(const std::filesystem::path& path, const std::string& text);

// Makes `output` appear whole or not at all: `write` fills a temporary file next to it (the same directory,
// so the rename stays on one file system), which then replaces `output` in one step. On any failure the
// temporary is removed, `output` is left as it was, and the result is false.
bool replace_file(const std::filesystem::path& output,
                  const std::function<bool(const std::filesystem::path& temporary)>& write);

} // namespace codegen
