#pragma once
// File menu behaviour around core/session: New / Open / Save / Save As / Recent, the window
// title's file name and unsaved marker, asking before discarding work, an autosave timer and
// recovery after a crash. The engine captures the state at a step boundary and one session
// worker thread (core/session) writes and reads the files, so the GUI never waits for the disk.
// The controller knows the engine and the widget that parents its dialogs, not the window: the
// window owns it and follows its signals.
#include "core/experiment/snapshot.hpp"
#include "core/experiment/state.hpp"
#include "core/session/autosave.hpp"
#include "core/session/session_worker.hpp"
#include "ui/shell/comparison_runs.hpp"

#include <QObject>
#include <QString>

#include <functional>

#include <memory>
#include <optional>

class QMenu;
class QTimer;
class QWidget;

namespace cbl {
class Engine;
}

namespace cbl::ui {

class SessionController : public QObject {
    Q_OBJECT
  public:
    SessionController(Engine& engine, QWidget* dialogParent, QObject* parent = nullptr);
    ~SessionController() override;

    void populateMenu(QMenu* file);
    /// A new experiment was loaded: no file yet, nothing unsaved.
    void markNew();
    void onSnapshot(const SnapshotPtr& s);
    bool isDirty() const { return dirty_; }
    QString displayName() const;

    /// Saves to `path` in the background; `saved` (or `saveFailed`) follows.
    void saveTo(const QString& path, bool autosave = false);
    /// Saves and waits (closing the window).
    bool saveNow(const QString& path);
    /// Opens a session file in the background; `loaded` or `openFailed` follows. A file that
    /// cannot be read, or whose experiment does not build, changes nothing.
    void openFile(const QString& path);
    /// Saves to the session's file (asking for one if it has none) and waits; false = cancelled
    /// or failed (with a message).
    bool saveWaiting();
    /// Asks to save unsaved work; false = the user cancelled.
    bool maybeSave();
    /// Offers the autosaves of runs that did not exit cleanly (core/session/autosave.hpp);
    /// true if the user took one (it is being opened).
    bool offerRecovery();
    /// Clean exit: stop the timer, wait for the session worker, drop the autosave.
    void shutdown();
    /// The runs beside the main one that saves keep and opens restore (none if never set).
    void setComparisons(ComparisonRuns* runs) { comparisons_ = runs; }
    /// What the window's views keep in a session beside the pins the controller takes from the
    /// engine (the heatmap's colour hold): `save` fills it in at every save, `restore` gives it
    /// back for an opened session saved at `step`.
    void setViewState(std::function<void(SessionGui&)> save,
                      std::function<void(const SessionGui&, std::uint64_t step)> restore) {
        saveView_ = std::move(save);
        restoreView_ = std::move(restore);
    }
    /// The setting of File > "Reopen the last session at start" (on unless turned off).
    static bool reopenLastAtStart();
    /// The most recent session file that still exists, or empty.
    static QString lastSession();
    /// This window's autosave (in the per-user recovery folder); empty if it has none.
    QString autosavePath() const;
    bool busy() const { return busy_ > 0; }

  Q_SIGNALS:
    /// File > New: the window loads the default experiment.
    void newRequested();
    void titleChanged();
    void message(const QString& text);
    void saved(const QString& path);
    void saveFailed(const QString& path, const QString& error);
    void loaded(const QString& path);
    void openFailed(const QString& path, const QString& error);

  private:
    void addRecent(const QString& path);
    void rebuildRecent();
    void save();
    void saveAs();
    void open();
    void setDirty(bool d);
    /// Saves unsaved work to this window's autosave (timer, or a run that stopped).
    void autosave();
    /// The file the session is saved in (empty = untitled), also told to the recovery marker.
    void setPath(const QString& path);
    void saveFinished(const QString& path, bool autosave, const QString& error,
                      const QString& left_out, std::uint64_t step, std::size_t events);
    void restore(const QString& path, ExperimentState state, SessionInfo info);
    /// The pins of the snapshot shown and what the views keep (setViewState).
    SessionGui captureGui() const;
    std::vector<ComparisonRuns::Capture> captureComparisons();

    Engine& engine_;
    ComparisonRuns* comparisons_ = nullptr;
    std::function<void(SessionGui&)> saveView_;
    std::function<void(const SessionGui&, std::uint64_t)> restoreView_;
    QWidget* dialogParent_;
    QMenu* recent_ = nullptr;
    QTimer* autosave_;
    QString path_;
    QString configName_; ///< the experiment's name, for an untitled window
    bool dirty_ = false;
    std::uint64_t savedStep_ = 0;
    std::size_t savedEvents_ = 0;
    std::uint64_t lastStep_ = 0;
    std::size_t lastEvents_ = 0;
    bool wasRunning_ = false;  ///< the last snapshot's `running`
    bool wasFinished_ = false; ///< the last snapshot's `finished`
    int busy_ = 0;
    /// The recovery marker and autosave of this window (null if the folder is unusable).
    std::unique_ptr<AutosaveSlot> slot_;
    std::optional<RecoverableSession> recovering_; ///< the crashed run being opened
    SessionWorker worker_; ///< last: joined first, while the members its jobs use still exist
};

} // namespace cbl::ui
