#include "ui/shell/session_controller.hpp"

#include "core/experiment/engine.hpp"
#include "core/session/session_file.hpp"
#include "core/session/session_worker.hpp"
#include "ui/shell/comparison_runs.hpp"
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
// Often enough that a run of a minute is covered (issue 18: two minutes were longer than most
// runs); a save copies the state on the engine thread and writes it on the session worker.
constexpr int autosave_interval_ms = 30000;
/// The setting behind File > "Reopen the last session at start".
constexpr const char* reopen_key = "session/reopenLast";

std::string recovery_dir() {
    return (QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/recovery")
        .toStdString();
}

/// What a save writes beside the main state: the data's description, the GUI's pins and colour
/// hold, and every comparison run whose state arrives; a run still loading its data has none yet
/// and is named in `left_out`.
SessionInfo session_info(const CapturedState& main, std::vector<ComparisonRuns::Capture>& runs,
                         const SessionGui& gui, QString& left_out) {
    SessionInfo info;
    info.dataset = main.dataset;
    info.gui = gui;
    for (ComparisonRuns::Capture& r : runs)
        try {
            info.comparisons.push_back({r.label, r.group, r.state.get().state});
        } catch (const std::exception&) {
            left_out += (left_out.isEmpty() ? "" : ", ") + QString::fromStdString(r.label);
        }
    return info;
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
    connect(autosave_, &QTimer::timeout, this, &SessionController::autosave);
    autosave_->start();
}

void SessionController::autosave() {
    if (slot_ && dirty_ && busy_ == 0) saveTo(autosavePath(), true);
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
    QAction* reopen = file->addAction("Reopen the last session at start");
    reopen->setCheckable(true);
    reopen->setChecked(reopenLastAtStart());
    reopen->setToolTip("At start without a file, preset or lesson to open, open the session saved "
                       "or opened last (File > Open recent's first entry)");
    connect(reopen, &QAction::toggled, this, [](bool on) { QSettings().setValue(reopen_key, on); });
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
    // A run that stops (finished, paused, diverged) is kept at once, so a crash after a run
    // shorter than the timer loses nothing; a short run may finish between two snapshots.
    if ((wasRunning_ && !s->running) || (s->finished && !wasFinished_)) autosave();
    wasRunning_ = s->running;
    wasFinished_ = s->finished;
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
    auto runs = std::make_shared<std::vector<ComparisonRuns::Capture>>(captureComparisons());
    const SessionGui gui = captureGui();
    const QPointer<QObject> guard(this);
    worker_.submit([this, guard, captured, runs, gui, path, autosave] {
        QString error, left_out;
        std::uint64_t step = 0;
        std::size_t events = 0;
        try {
            const CapturedState c = captured->get();
            step = c.state.step;
            events = c.state.events.size();
            save_session(path.toStdString(), c.state, session_info(c, *runs, gui, left_out));
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        run_on_gui(guard,
                   [=, this] { saveFinished(path, autosave, error, left_out, step, events); });
    });
}

SessionGui SessionController::captureGui() const {
    SessionGui gui;
    if (const SnapshotPtr s = engine_.snapshot())
        for (const SynapseTrace& t : s->traces)
            if (gui.pins.size() < max_pinned_synapses) gui.pins.push_back({t.layer, t.row, t.col});
    if (saveView_) saveView_(gui);
    return gui;
}

std::vector<ComparisonRuns::Capture> SessionController::captureComparisons() {
    return comparisons_ ? comparisons_->capture() : std::vector<ComparisonRuns::Capture>{};
}

void SessionController::saveFinished(const QString& path, bool autosave, const QString& error,
                                     const QString& left_out, std::uint64_t step,
                                     std::size_t events) {
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
    Q_EMIT message("Saved " + path +
                   (left_out.isEmpty()
                        ? QString()
                        : " (without comparison runs still loading their data: " + left_out + ")"));
    Q_EMIT saved(path);
}

bool SessionController::saveNow(const QString& path) {
    std::future<CapturedState> captured = engine_.capture_state();
    std::vector<ComparisonRuns::Capture> runs = captureComparisons();
    // The engine answers within one training slice (~20 ms).
    if (captured.wait_for(std::chrono::seconds(30)) != std::future_status::ready) return false;
    try {
        const CapturedState c = captured.get();
        QString left_out;
        save_session(path.toStdString(), c.state, session_info(c, runs, captureGui(), left_out));
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
        auto info = std::make_shared<SessionInfo>();
        QString error;
        try {
            *state = load_session(path.toStdString(), info.get());
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        run_on_gui(guard, [this, path, state, info, error] {
            if (!error.isEmpty()) {
                --busy_;
                Q_EMIT message("Cannot open " + path);
                Q_EMIT openFailed(path, error);
                return;
            }
            restore(path, std::move(*state), std::move(*info));
        });
    });
}

void SessionController::restore(const QString& path, ExperimentState state, SessionInfo info) {
    const std::uint64_t step = state.step;
    const std::size_t events = state.events.size();
    auto runs = std::make_shared<std::vector<ComparisonRun>>(std::move(info.comparisons));
    const std::optional<SessionGui> gui = std::move(info.gui);
    // The engine builds the experiment once and keeps the one running if this one cannot build.
    engine_.restore(
        std::move(state), nullptr,
        verdict_on_gui(this, [this, path, step, events, runs, gui](const ParameterVerdict& v) {
            --busy_;
            if (!v.accepted) {
                Q_EMIT message("Cannot open " + path);
                Q_EMIT openFailed(path, QString::fromStdString(v.message));
                return;
            }
            if (comparisons_) comparisons_->restore(std::move(*runs));
            if (gui) {
                // Queued after the restore: they land on the opened experiment.
                for (const PinnedSynapse& p : gui->pins)
                    engine_.pin_synapse(p.layer, p.row, p.col);
                if (restoreView_) restoreView_(*gui, step);
            }
            const bool recovered = recovering_ && path.toStdString() == recovering_->autosave_path;
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
    return saveWaiting();
}

bool SessionController::saveWaiting() {
    QString p = path_;
    if (p.isEmpty()) {
        p = QFileDialog::getSaveFileName(dialogParent_, "Save session", "session.h5",
                                         "CrossbarLab session (*.h5)");
        if (p.isEmpty()) return false;
        if (!p.endsWith(".h5", Qt::CaseInsensitive)) p += ".h5";
    }
    return saveNow(p);
}

bool SessionController::offerRecovery() {
    if (!slot_) return false;
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
            return true;
        }
        discard_recoverable(r);
    }
    return false;
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

bool SessionController::reopenLastAtStart() {
    return QSettings().value(reopen_key, true).toBool();
}

QString SessionController::lastSession() {
    for (const QString& f : QSettings().value("session/recent").toStringList())
        if (QFileInfo(f).isFile()) return f;
    return QString();
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
