#pragma once
// Autosave and crash recovery (ARCHITECTURE.md, "Autosave + recovery"), without Qt: the GUI
// passes its per-user recovery folder (e.g. QStandardPaths::AppLocalDataLocation + "/recovery")
// and calls save() on a timer. Each running session owns a marker file there and holds an
// exclusive lock on it (flock) while the process lives; its autosave sits beside the marker.
// A marker whose lock can be taken belongs to a process that ended without a clean close: the
// crashed session to offer. Locks, unlike stored process ids, cannot be fooled by pid reuse.
#include "core/experiment/state.hpp"
#include "core/session/session_file.hpp"

#include <string>
#include <vector>

namespace cbl {

/// The autosave of a session whose process ended without closing it.
struct RecoverableSession {
    std::string autosave_path; ///< pass to load_session()
    std::string session_path;  ///< the file the user had chosen; empty if never saved
    std::string started;       ///< UTC time the session was opened, ISO 8601
    std::string marker_path;
};

/// The recovery marker and autosave file of one running session.
class AutosaveSlot {
  public:
    /// Creates `recovery_dir` if needed and a locked marker in it; InputError if impossible.
    /// `session_path` is the user's file, empty while the session is unnamed.
    explicit AutosaveSlot(const std::string& recovery_dir, const std::string& session_path = "");
    /// A clean end: removes the autosave and the marker (nothing to recover).
    ~AutosaveSlot();
    AutosaveSlot(const AutosaveSlot&) = delete;
    AutosaveSlot& operator=(const AutosaveSlot&) = delete;

    /// Where save() writes: <recovery_dir>/<id>.autosave.h5, never the user's own file, so
    /// an autosave cannot overwrite what the user last saved on purpose.
    const std::string& autosave_path() const { return autosave_path_; }
    /// Records the user's file after "Save as" so that recovery can name the session.
    void set_session_path(const std::string& session_path);
    /// Writes the state to autosave_path() atomically (save_session).
    void save(const ExperimentState& state, const SessionInfo& info) const;

  private:
    void write_marker() const;

    int fd_ = -1; ///< the marker, open and flock()ed for the lifetime of the slot
    std::string marker_path_;
    std::string autosave_path_;
    std::string session_path_;
    std::string started_;
};

/// Sessions in `recovery_dir` whose process ended without closing them and that have an
/// autosave, oldest first. Markers of crashed sessions that never autosaved are removed.
std::vector<RecoverableSession> find_recoverable(const std::string& recovery_dir);

/// Removes a recovered (or declined) session's autosave, marker and stray temporary files.
void discard_recoverable(const RecoverableSession& session);

} // namespace cbl
