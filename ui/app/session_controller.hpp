#pragma once
// File menu behaviour around core/session: New / Open / Save / Save As / Recent, the window
// title's file name and unsaved marker, asking before discarding work, an autosave timer and
// recovery after a crash. The state is taken on the engine thread at a step boundary
// (Engine::post) and written on a worker thread, so the GUI never waits for the disk.
#include "core/experiment/snapshot.hpp"

#include <QObject>
#include <QString>

#include <atomic>
#include <thread>
#include <vector>

class QMenu;
class QTimer;

namespace cbl::ui {

class MainWindow;

class SessionController : public QObject {
    Q_OBJECT
  public:
    SessionController(MainWindow* window, QObject* parent = nullptr);
    ~SessionController() override;

    void populateMenu(QMenu* file);
    /// A new experiment was loaded: no file yet, nothing unsaved.
    void markNew();
    void onSnapshot(const SnapshotPtr& s);
    bool isDirty() const { return dirty_; }
    QString path() const { return path_; }
    QString displayName() const;

    /// Saves to `path` in the background; `saved` (or `failed`) follows.
    void saveTo(const QString& path, bool autosave = false);
    /// Saves and waits (closing the window).
    bool saveNow(const QString& path);
    /// Loads a session file in the background.
    void openFile(const QString& path);
    /// Asks to save unsaved work; false = the user cancelled.
    bool maybeSave();
    /// Offers the autosave of a run that did not exit cleanly.
    void offerRecovery();
    /// Clean exit: stop the timer, wait for writers, drop the autosave.
    void shutdown();
    static QString autosavePath();
    bool busy() const { return busy_ > 0; }

  Q_SIGNALS:
    void titleChanged();
    void message(const QString& text);
    void saved(const QString& path);
    void loaded(const QString& path);
    void failed(const QString& error);

  private:
    void addRecent(const QString& path);
    void rebuildRecent();
    void save();
    void saveAs();
    void open();
    void setDirty(bool d);

    MainWindow* window_;
    QMenu* recent_ = nullptr;
    QTimer* autosave_;
    QString path_;
    bool dirty_ = false;
    std::uint64_t savedStep_ = 0;
    std::size_t savedEvents_ = 0;
    std::uint64_t lastStep_ = 0;
    std::size_t lastEvents_ = 0;
    int busy_ = 0;
    std::vector<std::thread> workers_;
};

} // namespace cbl::ui
