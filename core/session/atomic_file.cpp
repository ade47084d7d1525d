#include "core/session/atomic_file.hpp"

#include "core/common/param_error.hpp"

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <random>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cbl {
namespace {

std::string errno_text(int err) {
    return std::strerror(err);
}

/// Closes the descriptor and removes the temporary unless the rename succeeded.
class TempFile {
  public:
    TempFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
    ~TempFile() {
        if (fd_ >= 0) ::close(fd_);
        if (!committed_) ::unlink(path_.c_str());
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    int fd() const { return fd_; }
    const std::string& path() const { return path_; }
    /// Closes the descriptor, reporting the error a deferred write-back may surface (NFS).
    int close() {
        const int rc = ::close(fd_);
        fd_ = -1;
        return rc;
    }
    void commit() { committed_ = true; }

  private:
    int fd_;
    std::string path_;
    bool committed_ = false;
};

/// A hidden name no other writer uses: pid, a process-wide counter and random bits.
std::string temp_name(const std::filesystem::path& target) {
    static std::atomic<unsigned> counter{0};
    thread_local std::mt19937_64 bits{std::random_device{}()};
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "." + std::string.
    std::string name(1, '.');
    name += target.filename().string();
    name += ".tmp-";
    name += std::to_string(::getpid());
    name += '-';
    name += std::to_string(counter.fetch_add(1));
    name += '-';
    name += std::to_string(bits() & 0xffffff);
    return (target.parent_path() / name).string();
}

/// Removes temporaries of `target` left by writers that died mid-save (kill -9, power cut): a
/// name from temp_name() whose process no longer exists. A live pid, even an unrelated process
/// that reuses it, keeps its file: this only ever errs on the side of leaving one behind.
void remove_stale_temps(const std::filesystem::path& target) {
    namespace fs = std::filesystem;
    std::string prefix(1, '.'); // piece by piece, as in temp_name()
    prefix += target.filename().string();
    prefix += ".tmp-";
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(target.parent_path(), ec)) {
        const std::string name = entry.path().filename().string();
        if (name.compare(0, prefix.size(), prefix) != 0) continue;
        char* end = nullptr;
        const long pid = std::strtol(name.c_str() + prefix.size(), &end, 10);
        if (pid <= 0 || *end != '-') continue;
        if (::kill(pid_t(pid), 0) != 0 && errno == ESRCH) ::unlink(entry.path().c_str());
    }
}

} // namespace

void replace_file_atomically(const std::string& path, const TempWriter& write) {
    namespace fs = std::filesystem;
    const auto fail = [&](const std::string& why) {
        throw InputError("cannot write " + path + ": " + why);
    };
    if (path.empty()) throw InputError("cannot write a file with an empty name");
    fs::path target = fs::absolute(fs::path(path));
    if (target.filename().empty()) fail("the name is a folder, not a file");
    // A symbolic link stays a link: the file it names is the one replaced (renaming over the
    // link would turn it into a plain file and leave the real one stale).
    struct stat link {};
    if (::lstat(target.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) {
        std::error_code ec;
        fs::path real = fs::canonical(target, ec);
        if (ec) fail("it is a symbolic link to a missing file or folder");
        target = std::move(real);
    }

    // A replaced file keeps its permissions; a new one gets 0666 less the umask, like any file.
    struct stat old {};
    const bool replacing = ::stat(target.c_str(), &old) == 0;
    if (replacing && S_ISDIR(old.st_mode)) fail("it is a folder");
    // Renaming over a device or a pipe would replace it (as root, even /dev/null) with a file.
    if (replacing && !S_ISREG(old.st_mode))
        fail("it is not a regular file (a device, pipe or socket)");
    const mode_t mode = replacing ? (old.st_mode & 07777) : 0666;

    int fd = -1;
    std::string tmp;
    for (int attempt = 0; fd < 0 && attempt < 8; ++attempt) {
        tmp = temp_name(target);
        fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd < 0 && errno != EEXIST) fail(errno_text(errno));
    }
    if (fd < 0) fail("no unused temporary name in its folder");
    TempFile file(fd, tmp);
    // open() applied the umask; a replaced file keeps exactly the mode it had.
    if (replacing && ::fchmod(fd, mode) != 0) fail(errno_text(errno));

    write(fd, tmp);
    // The data must be on disk before the rename makes it the file, or a power cut could
    // leave an empty file under the old name. fsync covers writes made through any descriptor.
    if (::fsync(fd) != 0) fail(errno_text(errno));
    if (file.close() != 0) fail(errno_text(errno));
    if (::rename(tmp.c_str(), target.c_str()) != 0) fail(errno_text(errno));
    file.commit();
    // Persist the rename itself; a failure here no longer endangers either version of the file.
    const int dir = ::open(target.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
    remove_stale_temps(target);
}

void write_file_atomically(const std::string& path, std::string_view bytes) {
    replace_file_atomically(path, [&](int fd, const std::string&) {
        const char* p = bytes.data();
        std::size_t left = bytes.size();
        while (left > 0) {
            const ssize_t n = ::write(fd, p, left);
            if (n < 0) {
                if (errno == EINTR) continue;
                throw InputError("cannot write " + path + ": " + errno_text(errno));
            }
            p += n;
            left -= static_cast<std::size_t>(n);
        }
    });
}

} // namespace cbl
