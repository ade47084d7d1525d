#include "ui/app/session_controller.hpp"

#include "core/experiment/engine.hpp"
#include "core/session/session_file.hpp"
#include "ui/app/engine_bridge.hpp"
#include "ui/app/main_window.hpp"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QPointer>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>

#include <future>

namespace cbl::ui {

namespace {
constexpr int autosave_interval_ms = 120000;

/// Replaces the engine's experiment by one continuing `state`. Until the engine has a command for
/// this, the new experiment borrows the data the engine loaded for the same config.
void restore_on_engine(Engine& engine, ExperimentState state) {
    engine.load(state.config.get<ExperimentConfig>());
    engine.post([state = std::move(state)](Experiment& e) {
        std::shared_ptr<const DataSplit> data(std::shared_ptr<const DataSplit>(), &e.data());
        e = Experiment(state, data);
    });
}
} // namespace

SessionController::SessionController(MainWindow* window, QObject* parent)
    : QObject(parent), window_(window), autosave_(new QTimer(this)) {
    autosave_->setInterval(autosave_interval_ms);
    connect(autosave_, &QTimer::timeout, this, [this] {
        if (dirty_ && busy_ == 0) saveTo(autosavePath(), true);
    });
    autosave_->start();
}

SessionController::~SessionController() {
    for (auto& t : workers_)
        if (t.joinable()) t.join();
}

QString SessionController::autosavePath() {
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(dir);
    return dir + "/autosave.h5";
}

void SessionController::populateMenu(QMenu* file) {
    QAction* n = file->addAction("&New (default experiment)", this, [this] {
        if (!maybeSave()) return;
        const auto names = preset_names();
        const bool mca = std::find(names.begin(), names.end(), "mca-pcm") != names.end();
        window_->loadPreset(mca ? "mca-pcm" : "fp32");
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
    path_.clear();
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
    lastStep_ = s->step;
    lastEvents_ = s->events.size();
    setDirty(s->step != savedStep_ || s->events.size() != savedEvents_);
}

QString SessionController::displayName() const {
    if (!path_.isEmpty()) return QFileInfo(path_).fileName();
    const SnapshotPtr s = window_->lastSnapshot();
    return "untitled" + (s ? " (" + QString::fromStdString(s->config.name) + ")" : QString());
}

void SessionController::save() {
    if (path_.isEmpty())
        saveAs();
    else
        saveTo(path_);
}

void SessionController::saveAs() {
    QString p = QFileDialog::getSaveFileName(window_, "Save session",
                                             path_.isEmpty() ? "session.h5" : path_,
                                             "CrossbarLab session (*.h5)");
    if (p.isEmpty()) return;
    if (!p.endsWith(".h5", Qt::CaseInsensitive)) p += ".h5";
    saveTo(p);
}

void SessionController::saveTo(const QString& path, bool autosave) {
    ++busy_;
    QPointer<SessionController> self(this);
    // Take the state between two training steps, write it beside training on a worker thread.
    window_->bridge().engine().post([self, path, autosave](Experiment& e) {
        auto state = std::make_shared<ExperimentState>(e.state());
        SessionInfo info;
        info.dataset = e.data().description;
        const std::uint64_t step = state->step;
        const std::size_t events = state->events.size();
        QMetaObject::invokeMethod(
            self.data(),
            [self, path, autosave, state, info, step, events] {
                if (!self) return;
                self->workers_.emplace_back([self, path, autosave, state, info, step, events] {
                    QString error;
                    try {
                        save_session(path.toStdString(), *state, info);
                    } catch (const std::exception& ex) {
                        error = QString::fromUtf8(ex.what());
                    }
                    QMetaObject::invokeMethod(
                        self.data(),
                        [self, path, autosave, error, step, events] {
                            if (!self) return;
                            --self->busy_;
                            if (!error.isEmpty()) {
                                Q_EMIT self->message("Save failed: " + error);
                                Q_EMIT self->failed(error);
                                return;
                            }
                            if (autosave) {
                                Q_EMIT self->message("Autosaved");
                                return;
                            }
                            self->path_ = path;
                            self->savedStep_ = step;
                            self->savedEvents_ = events;
                            self->setDirty(self->lastStep_ != step || self->lastEvents_ != events);
                            self->addRecent(path);
                            Q_EMIT self->titleChanged();
                            Q_EMIT self->message("Saved " + path);
                            Q_EMIT self->saved(path);
                        },
                        Qt::QueuedConnection);
                });
            },
            Qt::QueuedConnection);
    });
}

bool SessionController::saveNow(const QString& path) {
    auto promise = std::make_shared<std::promise<std::pair<ExperimentState, SessionInfo>>>();
    auto future = promise->get_future();
    window_->bridge().engine().post([promise](Experiment& e) {
        SessionInfo info;
        info.dataset = e.data().description;
        promise->set_value({e.state(), info});
    });
    // The engine answers within one training slice (~20 ms).
    if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) return false;
    try {
        const auto [state, info] = future.get();
        save_session(path.toStdString(), state, info);
        path_ = path;
        savedStep_ = state.step;
        savedEvents_ = state.events.size();
        setDirty(false);
        addRecent(path);
        return true;
    } catch (const std::exception& e) {
        QMessageBox::warning(window_, "Save", QString::fromUtf8(e.what()));
        return false;
    }
}

void SessionController::open() {
    if (!maybeSave()) return;
    const QString p = QFileDialog::getOpenFileName(window_, "Open session", QString(),
                                                   "CrossbarLab session (*.h5)");
    if (!p.isEmpty()) openFile(p);
}

void SessionController::openFile(const QString& path) {
    ++busy_;
    QPointer<SessionController> self(this);
    workers_.emplace_back([self, path] {
        auto state = std::make_shared<ExperimentState>();
        QString error;
        try {
            *state = load_session(path.toStdString());
            // Parse here so a bad config fails before the running experiment is replaced.
            (void)state->config.get<ExperimentConfig>();
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, path, state, error] {
                if (!self) return;
                --self->busy_;
                if (!error.isEmpty()) {
                    QMessageBox::warning(self->window_, "Open session", error);
                    Q_EMIT self->failed(error);
                    return;
                }
                const std::uint64_t step = state->step;
                const std::size_t events = state->events.size();
                restore_on_engine(self->window_->bridge().engine(), std::move(*state));
                const bool recovered = path == autosavePath();
                self->path_ = recovered ? QString() : path;
                self->savedStep_ = recovered ? ~0ull : step;
                self->savedEvents_ = events;
                self->dirty_ = recovered;
                if (!recovered) self->addRecent(path);
                Q_EMIT self->titleChanged();
                Q_EMIT self->message((recovered ? "Recovered " : "Opened ") + path);
                Q_EMIT self->loaded(path);
            },
            Qt::QueuedConnection);
    });
}

bool SessionController::maybeSave() {
    if (!dirty_) return true;
    const auto answer = QMessageBox::question(
        window_, "Unsaved training",
        "The experiment has training that is not saved in a session file. Save it first?",
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel) return false;
    if (answer == QMessageBox::Discard) return true;
    QString p = path_;
    if (p.isEmpty()) {
        p = QFileDialog::getSaveFileName(window_, "Save session", "session.h5",
                                         "CrossbarLab session (*.h5)");
        if (p.isEmpty()) return false;
        if (!p.endsWith(".h5", Qt::CaseInsensitive)) p += ".h5";
    }
    return saveNow(p);
}

void SessionController::offerRecovery() {
    QSettings settings;
    const bool unclean = settings.value("session/running", false).toBool();
    settings.setValue("session/running", true);
    const QString autosave = autosavePath();
    if (!unclean || !QFileInfo::exists(autosave)) return;
    const auto answer = QMessageBox::question(
        window_, "Recover training?",
        "CrossbarLab did not close normally last time. An autosave from " +
            QFileInfo(autosave).lastModified().toString() + " exists. Recover it?",
        QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
    if (answer == QMessageBox::Yes) openFile(autosave);
}

void SessionController::shutdown() {
    autosave_->stop();
    for (auto& t : workers_)
        if (t.joinable()) t.join();
    workers_.clear();
    QSettings settings;
    settings.setValue("session/running", false);
    QFile::remove(autosavePath());
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
