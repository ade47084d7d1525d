#include "core/session/autosave.hpp"

#include "core/common/param_error.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <random>
#include <sys/file.h>
#include <unistd.h>

namespace cbl {
namespace fs = std::filesystem;
namespace {

constexpr const char* marker_suffix = ".marker";
constexpr const char* autosave_suffix = ".autosave.h5";
constexpr std::size_t max_marker_bytes = 1 << 16;

std::string utc_now(const char* format) {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
}

/// <stem>.autosave.h5 for <stem>.marker.
std::string autosave_for(const std::string& marker_path) {
    return marker_path.substr(0, marker_path.size() - std::strlen(marker_suffix)) + autosave_suffix;
}

std::string read_all(int fd) {
    std::string text(max_marker_bytes, '\0');
    const ssize_t n = ::pread(fd, text.data(), text.size(), 0);
    text.resize(n > 0 ? std::size_t(n) : 0);
    return text;
}

} // namespace

AutosaveSlot::AutosaveSlot(const std::string& recovery_dir, const std::string& session_path)
    : session_path_(session_path), started_(utc_now("%Y-%m-%dT%H:%M:%SZ")) {
    std::error_code ec;
    fs::create_directories(recovery_dir, ec);
    if (ec || !fs::is_directory(recovery_dir))
        throw InputError("cannot use recovery folder " + recovery_dir + ": " +
                         (ec ? ec.message() : std::string("not a folder")));
    std::random_device random;
    for (int attempt = 0; fd_ < 0 && attempt < 8; ++attempt) {
        // Sortable by start time; pid and random bits keep simultaneous starts apart.
        const std::string id = utc_now("%Y%m%dT%H%M%SZ") + "-" + std::to_string(::getpid()) + "-" +
                               std::to_string(random() & 0xffffff);
        marker_path_ = (fs::path(recovery_dir) / (id + marker_suffix)).string();
        fd_ = ::open(marker_path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd_ < 0 && errno != EEXIST)
            throw InputError("cannot create recovery marker " + marker_path_ + ": " +
                             std::strerror(errno));
    }
    if (fd_ < 0) throw InputError("cannot create a recovery marker in " + recovery_dir);
    autosave_path_ = autosave_for(marker_path_);
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        ::close(fd_);
        ::unlink(marker_path_.c_str());
        throw InputError("cannot lock recovery marker " + marker_path_ + ": " + std::strerror(err));
    }
    write_marker();
}

AutosaveSlot::~AutosaveSlot() {
    // Autosave first: a marker without an autosave is merely stale if we die in between.
    ::unlink(autosave_path_.c_str());
    ::unlink(marker_path_.c_str());
    ::close(fd_);
}

void AutosaveSlot::set_session_path(const std::string& session_path) {
    session_path_ = session_path;
    write_marker();
}

void AutosaveSlot::write_marker() const {
    // Rewritten in place, not renamed: the lock belongs to this inode. A torn write only loses
    // the session's name, never the autosave (its path follows from the marker's name).
    const std::string text =
        nlohmann::json{{"session_path", session_path_}, {"started", started_}, {"pid", ::getpid()}}
            .dump() +
        "\n";
    if (::ftruncate(fd_, 0) != 0 ||
        ::pwrite(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
        throw InputError("cannot write recovery marker " + marker_path_ + ": " +
                         std::strerror(errno));
}

void AutosaveSlot::save(const ExperimentState& state, const SessionInfo& info) const {
    save_session(autosave_path_, state, info);
}

std::vector<RecoverableSession> find_recoverable(const std::string& recovery_dir) {
    std::vector<RecoverableSession> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(recovery_dir, ec)) {
        const std::string path = entry.path().string();
        if (!entry.is_regular_file(ec) || !path.ends_with(marker_suffix)) continue;
        const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
        if (fd < 0) continue;
        // Taking the lock fails while the owning process lives (another window or instance).
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
            RecoverableSession s;
            s.marker_path = path;
            s.autosave_path = autosave_for(path);
            const auto marker = nlohmann::json::parse(read_all(fd), nullptr, false);
            if (marker.is_object()) {
                s.session_path = marker.value("session_path", std::string());
                s.started = marker.value("started", std::string());
            }
            if (fs::exists(s.autosave_path, ec))
                found.push_back(std::move(s));
            else
                ::unlink(path.c_str()); // crashed before its first autosave: nothing to offer
        }
        ::close(fd);
    }
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.marker_path < b.marker_path; });
    return found;
}

void discard_recoverable(const RecoverableSession& session) {
    // Temporaries of a save that was killed midway: ".<autosave name>.tmp-..." beside it.
    const fs::path autosave(session.autosave_path);
    std::string temp_prefix(1, '.'); // built stepwise: GCC 12 warns falsely on "." + string
    temp_prefix += autosave.filename().string();
    temp_prefix += ".tmp-";
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(autosave.parent_path(), ec))
        if (entry.path().filename().string().starts_with(temp_prefix)) fs::remove(entry.path(), ec);
    fs::remove(autosave, ec);
    fs::remove(session.marker_path, ec);
}

} // namespace cbl
