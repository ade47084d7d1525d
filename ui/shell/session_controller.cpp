#include "ui/shell/session_controller.hpp"

#include "core/experiment/engine.hpp"
#include "core/session/session_file.hpp"
#include "ui/shell/engine_bridge.hpp"

#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>

namespace cbl::ui {

namespace {
constexpr int autosave_interval_ms = 120000;

std::string recovery_dir() {
    return (QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/recovery")
        .toStdString();
}

} // namespace

SessionController::SessionController(Engine& engine, QWidget* dialogParent, QObject* parent)
    : QObject(parent), engine_(engine), dialogParent_(dialogParent), autosave_(new QTimer(this)) {
    try {
        slot_ = std::make_unique<AutosaveSlot>(recovery_dir());
    } catch (const std::exception& e) {
        qWarning("no autosave: %s", e.what());
    }
    autosave_->setInterval(autosave_interval_ms);
    connect(autosave_, &QTimer::timeout, this, [this] {
        if (slot_ && dirty_ && busy_ == 0) saveTo(autosavePath(), true);
    });
    autosave_->start();
}

SessionController::~SessionController() = default;

QString SessionController::autosavePath() const {
    return slot_ ? QString::fromStdString(slot_->autosave_path()) : QString();
}

void SessionController::populateMenu(QMenu* file) {
    QAction* n = file->addAction("&New (default experiment)", this, [this] {
        if (maybeSave()) Q_EMIT newRequested();
    });
    n->setShortcut(QKeySequence::New);
    QAction* o = file->addAction("&Open session…", this, &SessionController::open);
    o->setShortcut(QKeySequence::Open);
    recent_ = file->addMenu("Open &recent");
    rebuildRecent();
    QAction* s = file->addAction("&Save", this, &SessionController::save);
    s->setShortcut(QKeySequence::Save);
    QAction* sa = file->addAction("Save &as…", this, &SessionController::saveAs);
    sa->setShortcut(QKeySequence::SaveAs);
}

void SessionController::markNew() {
    setPath(QString());
    savedStep_ = 0;
    savedEvents_ = 0;
    setDirty(false);
    Q_EMIT titleChanged();
}

void SessionController::setDirty(bool d) {
    if (d == dirty_) return;
    dirty_ = d;
    Q_EMIT titleChanged();
}

void SessionController::onSnapshot(const SnapshotPtr& s) {
    configName_ = QString::fromStdString(s->config.name);
    lastStep_ = s->step;
    lastEvents_ = s->events.size();
    setDirty(s->step != savedStep_ || s->events.size() != savedEvents_);
}

QString SessionController::displayName() const {
    if (!path_.isEmpty()) return QFileInfo(path_).fileName();
    return "untitled" + (configName_.isEmpty() ? QString() : " (" + configName_ + ")");
}

void SessionController::save() {
    if (path_.isEmpty())
        saveAs();
    else
        saveTo(path_);
}

void SessionController::saveAs() {
    QString p = QFileDialog::getSaveFileName(dialogParent_, "Save session",
                                             path_.isEmpty() ? "session.h5" : path_,
                                             "CrossbarLab session (*.h5)");
    if (p.isEmpty()) return;
    if (!p.endsWith(".h5", Qt::CaseInsensitive)) p += ".h5";
    saveTo(p);
}

void SessionController::saveTo(const QString& path, bool autosave) {
    ++busy_;
    // The engine takes the state between two training steps; the worker waits for it and
    // writes beside training.
    auto captured = std::make_shared<std::future<CapturedState>>(engine_.capture_state());
    const QPointer<QObject> guard(this);
    worker_.submit([this, guard, captured, path, autosave] {
        QString error;
        std::uint64_t step = 0;
        std::size_t events = 0;
        try {
            const CapturedState c = captured->get();
            step = c.state.step;
            events = c.state.events.size();
            SessionInfo info;
            info.dataset = c.dataset;
            save_session(path.toStdString(), c.state, info);
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        run_on_gui(guard, [=, this] { saveFinished(path, autosave, error, step, events); });
    });
}

void SessionController::saveFinished(const QString& path, bool autosave, const QString& error,
                                     std::uint64_t step, std::size_t events) {
    --busy_;
    if (!error.isEmpty()) {
        Q_EMIT message("Save failed: " + error);
        Q_EMIT saveFailed(path, error);
        return;
    }
    if (autosave) {
        Q_EMIT message("Autosaved");
        return;
    }
    setPath(path);
    savedStep_ = step;
    savedEvents_ = events;
    setDirty(lastStep_ != step || lastEvents_ != events);
    addRecent(path);
    Q_EMIT titleChanged();
    Q_EMIT message("Saved " + path);
    Q_EMIT saved(path);
}

bool SessionController::saveNow(const QString& path) {
    std::future<CapturedState> captured = engine_.capture_state();
    // The engine answers within one training slice (~20 ms).
    if (captured.wait_for(std::chrono::seconds(30)) != std::future_status::ready) return false;
    try {
        const CapturedState c = captured.get();
        SessionInfo info;
        info.dataset = c.dataset;
        save_session(path.toStdString(), c.state, info);
        setPath(path);
        savedStep_ = c.state.step;
        savedEvents_ = c.state.events.size();
        setDirty(false);
        addRecent(path);
        return true;
    } catch (const std::exception& e) {
        QMessageBox::warning(dialogParent_, "Save", QString::fromUtf8(e.what()));
        return false;
    }
}

void SessionController::open() {
    if (!maybeSave()) return;
    const QString p = QFileDialog::getOpenFileName(dialogParent_, "Open session", QString(),
                                                   "CrossbarLab session (*.h5)");
    if (!p.isEmpty()) openFile(p);
}

void SessionController::openFile(const QString& path) {
    ++busy_;
    const QPointer<QObject> guard(this);
    worker_.submit([this, guard, path] {
        auto state = std::make_shared<ExperimentState>();
        QString error;
        try {
            *state = load_session(path.toStdString());
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        run_on_gui(guard, [this, path, state, error] {
            if (!error.isEmpty()) {
                --busy_;
                Q_EMIT message("Cannot open " + path);
                Q_EMIT openFailed(path, error);
                return;
            }
            restore(path, std::move(*state));
        });
    });
}

void SessionController::restore(const QString& path, ExperimentState state) {
    const std::uint64_t step = state.step;
    const std::size_t events = state.events.size();
    // The engine builds the experiment once and keeps the one running if this one cannot build.
    engine_.restore(std::move(state), nullptr,
                    verdict_on_gui(this, [this, path, step, events](const ParameterVerdict& v) {
                        --busy_;
                        if (!v.accepted) {
                            Q_EMIT message("Cannot open " + path);
                            Q_EMIT openFailed(path, QString::fromStdString(v.message));
                            return;
                        }
                        const bool recovered =
                            recovering_ && path.toStdString() == recovering_->autosave_path;
                        if (recovered) {
                            // The state lives on in this window (and its own autosave).
                            discard_recoverable(*recovering_);
                            recovering_.reset();
                        }
                        setPath(recovered ? QString() : path);
                        savedStep_ = recovered ? ~0ull : step;
                        savedEvents_ = events;
                        dirty_ = recovered;
                        if (!recovered) addRecent(path);
                        Q_EMIT titleChanged();
                        Q_EMIT message((recovered ? "Recovered " : "Opened ") + path);
                        Q_EMIT loaded(path);
                    }));
}

bool SessionController::maybeSave() {
    if (!dirty_) return true;
    const auto answer = QMessageBox::question(
        dialogParent_, "Unsaved training",
        "The experiment has training that is not saved in a session file. Save it first?",
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel) return false;
    if (answer == QMessageBox::Discard) return true;
    QString p = path_;
    if (p.isEmpty()) {
        p = QFileDialog::getSaveFileName(dialogParent_, "Save session", "session.h5",
                                         "CrossbarLab session (*.h5)");
        if (p.isEmpty()) return false;
        if (!p.endsWith(".h5", Qt::CaseInsensitive)) p += ".h5";
    }
    return saveNow(p);
}

void SessionController::offerRecovery() {
    if (!slot_) return;
    // Runs whose process ended without closing them, oldest first; a declined one is deleted,
    // the others wait for the next start.
    for (const RecoverableSession& r : find_recoverable(recovery_dir())) {
        const QString autosave = QString::fromStdString(r.autosave_path);
        const QString name = r.session_path.empty()
                                 ? QString("an untitled session")
                                 : QFileInfo(QString::fromStdString(r.session_path)).fileName();
        const auto answer = QMessageBox::question(
            dialogParent_, "Recover training?",
            "CrossbarLab did not close normally. An autosave of " + name + " from " +
                QFileInfo(autosave).lastModified().toString() + " exists. Recover it?",
            QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
        if (answer == QMessageBox::Yes) {
            recovering_ = r;
            openFile(autosave);
            return;
        }
        discard_recoverable(r);
    }
}

void SessionController::shutdown() {
    autosave_->stop();
    worker_.wait_idle();
    slot_.reset(); // a clean end: nothing to recover
}

void SessionController::setPath(const QString& path) {
    path_ = path;
    if (!slot_) return;
    try {
        slot_->set_session_path(path.toStdString());
    } catch (const std::exception& e) {
        qWarning("%s", e.what()); // recovery then names the session less well, nothing worse
    }
}

void SessionController::addRecent(const QString& path) {
    QSettings settings;
    QStringList files = settings.value("session/recent").toStringList();
    files.removeAll(path);
    files.prepend(path);
    while (files.size() > 8)
        files.removeLast();
    settings.setValue("session/recent", files);
    rebuildRecent();
}

void SessionController::rebuildRecent() {
    if (!recent_) return;
    recent_->clear();
    const QStringList files = QSettings().value("session/recent").toStringList();
    for (const QString& f : files)
        recent_
            ->addAction(QFileInfo(f).fileName(), this,
                        [this, f] {
                            if (maybeSave()) openFile(f);
                        })
            ->setToolTip(f);
    recent_->setEnabled(!files.isEmpty());
}

} // namespace cbl::ui
