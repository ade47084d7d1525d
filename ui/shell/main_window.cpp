#include "ui/shell/main_window.hpp"

#include "core/experiment/config.hpp"
#include "core/experiment/lesson.hpp"
#include "core/session/session_file.hpp"
#include "ui/shell/application.hpp"
#include "ui/shell/comparison_runs.hpp"
#include "ui/shell/engine_bridge.hpp"
#include "ui/shell/exporter.hpp"
#include "ui/shell/session_controller.hpp"
#include "ui/views/accelerator_view.hpp"
#include "ui/views/accuracy_chart.hpp"
#include "ui/views/device_explorer.hpp"
#include "ui/views/drift_view.hpp"
#include "ui/views/energy_chart.hpp"
#include "ui/views/environment_view.hpp"
#include "ui/views/experiment_panel.hpp"
#include "ui/views/gan_view.hpp"
#include "ui/views/heatmap_panel.hpp"
#include "ui/views/lesson_chooser.hpp"
#include "ui/views/lesson_panel.hpp"
#include "ui/views/number_strip.hpp"
#include "ui/views/parameter_panel.hpp"
#include "ui/views/run_list.hpp"
#include "ui/views/side_by_side.hpp"
#include "ui/views/snapshot_view.hpp"
#include "ui/views/sparsity_chart.hpp"
#include "ui/views/sweep_view.hpp"
#include "ui/views/traces_chart.hpp"

#include <QAction>
#include <QApplication>
#include <QChildEvent>
#include <QCloseEvent>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QTabBar>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace cbl::ui {

namespace {
// Panels that are live without any clicking (traces need a pinned synapse first): on a
// 1280 x 720 projector two large panels read from the back row, a third shrinks them all.
const char* kDefaultPresentationPanels = "heatmaps,accuracy";
} // namespace

QStringList MainWindow::viewNames() {
    return {"accuracy",     "heatmaps",        "traces",     "drift",      "sparsity",
            "energy",       "device-explorer", "experiment", "parameters", "runs",
            "side-by-side", "environment",     "gan",        "accelerator"};
}

MainWindow::MainWindow(QWidget* parent, bool restoreLayout, int threads)
    : QMainWindow(parent), bridge_(new EngineBridge(this, threads)),
      comparisons_(new ComparisonRuns(this)) {
    setObjectName("mainWindow");
    setWindowTitle("CrossbarLab[*]");
    setAcceptDrops(true);
    setDockOptions(AnimatedDocks | AllowTabbedDocks | AllowNestedDocks);
    panelTimer_ = new QTimer(this);
    panelTimer_->setSingleShot(true);
    panelTimer_->setInterval(0);
    connect(panelTimer_, &QTimer::timeout, this, &MainWindow::drawDuePanel);

    heatmaps_ = new HeatmapPanel;
    accuracy_ = new AccuracyChart;
    traces_ = new TracesChart;
    drift_ = new DriftView;
    sparsity_ = new SparsityChart;
    energy_ = new EnergyChart;
    explorer_ = new DeviceExplorer;
    environment_ = new EnvironmentView;
    gan_ = new GanView;
    experimentPanel_ = new ExperimentPanel;
    parameters_ = new ParameterPanel;
    parameters_->setEngine(&bridge_->engine());
    lesson_ = new LessonPanel;
    runList_ = new RunList(comparisons_);
    sideBySide_ = new SideBySide(comparisons_);
    // Its runs take a copy of the experiment between two training steps, as a save does.
    accelerator_ = new AcceleratorView;
    accelerator_->setStateSource([this] { return bridge_->engine().capture_state(); });

    setCentralWidget(heatmaps_);
    panels_.append({"heatmaps", "Conductance heatmaps", nullptr, heatmaps_, heatmaps_, 0, 0, {}});
    // The experiment form scrolls like the parameters (which scroll their fields under the
    // pending bar themselves): neither sets the window's minimum height.
    auto* experimentScroll = new QScrollArea;
    experimentScroll->setWidget(experimentPanel_);
    experimentScroll->setWidgetResizable(true);
    experimentScroll->setFrameShape(QFrame::NoFrame);
    addPanel("experiment", "Experiment", experimentScroll, experimentPanel_, Qt::LeftDockWidgetArea,
             0);
    addPanel("parameters", "Device parameters", parameters_, parameters_, Qt::LeftDockWidgetArea,
             0);
    // The lesson's text scrolls too; it draws no snapshot.
    auto* lessonScroll = new QScrollArea;
    lessonScroll->setWidget(lesson_);
    lessonScroll->setWidgetResizable(true);
    lessonScroll->setFrameShape(QFrame::NoFrame);
    addPanel("lesson", "Try this", lessonScroll, nullptr, Qt::LeftDockWidgetArea, 0);
    addPanel("accuracy", "Accuracy and loss", accuracy_, accuracy_, Qt::RightDockWidgetArea, 200);
    addPanel("environment", "Environment (deep RL)", environment_, environment_,
             Qt::RightDockWidgetArea, 0);
    addPanel("gan", "Generated digits (GAN)", gan_, gan_, Qt::RightDockWidgetArea, 0);
    addPanel("traces", "Synapse traces", traces_, traces_, Qt::BottomDockWidgetArea, 100);
    addPanel("sparsity", "Update sparsity", sparsity_, sparsity_, Qt::BottomDockWidgetArea, 250);
    addPanel("energy", "Energy", energy_, energy_, Qt::BottomDockWidgetArea, 250);
    addPanel("drift", "Drift", drift_, drift_, Qt::BottomDockWidgetArea, 250);
    addPanel("runs", "Runs", runList_, runList_, Qt::BottomDockWidgetArea, 250);
    // Two heatmap panels need more room than the bottom tabs may ask of a small screen: they
    // scroll there (or float the dock to see them large).
    auto* sideScroll = new QScrollArea;
    sideScroll->setWidget(sideBySide_);
    sideScroll->setWidgetResizable(true);
    sideScroll->setFrameShape(QFrame::NoFrame);
    addPanel("side-by-side", "Side by side", sideScroll, sideBySide_, Qt::BottomDockWidgetArea,
             250);
    // The explorer's four charts scroll rather than hold the bottom tabs, and with them the
    // window, above a 1366x768 screen (or a --size screenshot).
    auto* explorerScroll = new QScrollArea;
    explorerScroll->setWidget(explorer_);
    explorerScroll->setWidgetResizable(true);
    addPanel("device-explorer", "Device explorer", explorerScroll, explorer_,
             Qt::BottomDockWidgetArea, 250);
    // A table and two charts: they scroll in the small tab of a laptop (or float the dock).
    auto* acceleratorScroll = new QScrollArea;
    acceleratorScroll->setWidget(accelerator_);
    acceleratorScroll->setWidgetResizable(true);
    acceleratorScroll->setFrameShape(QFrame::NoFrame);
    addPanel("accelerator", "Accelerator", acceleratorScroll, accelerator_,
             Qt::BottomDockWidgetArea, 250);
    // The accuracy dock's title bar carries the test accuracy as a big number.
    {
        QDockWidget* d = panel("accuracy")->dock;
        auto* bar = new QWidget;
        auto* row = new QHBoxLayout(bar);
        row->setContentsMargins(4, 0, 2, 0);
        row->addWidget(new QLabel(d->windowTitle()));
        // All the room between title and buttons, text centred: the label's size hint is
        // ignored (AccuracyChart), so a longer text never widens the dock.
        accuracy_->headlineLabel()->setAlignment(Qt::AlignCenter);
        row->addWidget(accuracy_->headlineLabel(), 1);
        auto button = [&](QStyle::StandardPixmap icon, const QString& tip) {
            auto* b = new QToolButton;
            b->setIcon(style()->standardIcon(icon));
            b->setToolTip(tip);
            b->setAutoRaise(true);
            b->setIconSize(QSize(12, 12));
            row->addWidget(b);
            return b;
        };
        connect(button(QStyle::SP_TitleBarNormalButton, "Float or dock this panel"),
                &QToolButton::clicked, d, [d] { d->setFloating(!d->isFloating()); });
        connect(button(QStyle::SP_TitleBarCloseButton, "Close (View menu brings it back)"),
                &QToolButton::clicked, d, &QDockWidget::close);
        d->setTitleBarWidget(bar);
    }
    // A first window fits the screen it opens on (a 1366x768 laptop, a 1280x720 projector).
    const QSize avail = screen() ? screen()->availableGeometry().size() : QSize(1600, 1000);
    resize(QSize(1600, 1000).boundedTo(avail - QSize(0, 40)));
    arrangeDocks(size());

    session_ = new SessionController(bridge_->engine(), this, this);
    session_->setComparisons(comparisons_);
    session_->setViewState(
        [this](SessionGui& g) { heatmaps_->saveScale(g); },
        [this](const SessionGui& g, std::uint64_t step) { heatmaps_->restoreScale(g, step); });
    buildActions();
    buildMenus();

    statusText_ = new QLabel;
    statusBar()->addWidget(statusText_, 1);

    // Presentation mode's strip of big numbers, in place of the run tool bar.
    numbers_ = new NumberStrip;
    numbersBar_ = new QToolBar("Numbers");
    numbersBar_->setObjectName("numbersToolBar");
    numbersBar_->setMovable(false);
    numbersBar_->setFloatable(false);
    numbersBar_->toggleViewAction()->setVisible(false);
    numbersBar_->addWidget(numbers_);
    addToolBar(Qt::TopToolBarArea, numbersBar_);
    numbersBar_->hide();

    connect(bridge_, &EngineBridge::snapshotReady, this, &MainWindow::showSnapshot);
    connect(heatmaps_, &HeatmapPanel::pinRequested, this,
            [this](int l, int r, int c) { bridge_->engine().pin_synapse(l, r, c); });
    connect(traces_, &TracesChart::pinRequested, this,
            [this](int l, int r, int c) { bridge_->engine().pin_synapse(l, r, c); });
    connect(traces_, &TracesChart::unpinAllRequested, this,
            [this] { bridge_->engine().unpin_all(); });
    connect(drift_, &DriftView::evaluateRequested, this,
            [this](const std::vector<double>& t) { bridge_->engine().evaluate_drift(t); });
    // Technology is live: it changes only the energy report, training goes on.
    connect(energy_, &EnergyChart::technologyRequested, this, [this](const QString& name) {
        bridge_->engine().set_parameter(
            "technology", name.toStdString(),
            verdict_on_gui(this, [this](const ParameterVerdict& v) {
                if (v.accepted) return;
                statusBar()->showMessage(QString::fromStdString(v.message), 10000);
                if (last_) energy_->showSnapshot(last_); // the picker shows the preset in force
            }));
    });
    connect(experimentPanel_, &ExperimentPanel::presetRequested, this, [this](const QString& n) {
        if (confirmRestart("Loading preset " + n, LiveEdits::replaced))
            loadPreset(n);
        else if (last_)
            experimentPanel_->showSnapshot(last_);
    });
    connect(lesson_, &LessonPanel::chooseRequested, this, &MainWindow::chooseLesson);
    connect(lesson_, &LessonPanel::restartRequested, this,
            [this](const QString& name) { startLesson(name); });
    connect(experimentPanel_, &ExperimentPanel::loadRequested, this,
            [this](const ExperimentConfig& c) { applyConfig(c, "Applying these settings"); });
    connect(parameters_, &ParameterPanel::applyStructural, this, [this](const ExperimentConfig& c) {
        applyConfig(c, "These parameters change the network or the devices: applying them");
    });
    connect(parameters_, &ParameterPanel::deviceEdited, explorer_, &DeviceExplorer::setDeviceJson);
    connect(comparisons_, &ComparisonRuns::changed, this, [this] {
        accuracy_->setComparisons(comparisons_->curves());
        sparsity_->setComparisons(comparisons_->curves());
        energy_->setComparisons(comparisons_->energies());
    });
    connect(session_, &SessionController::titleChanged, this, &MainWindow::updateTitle);
    connect(session_, &SessionController::newRequested, this,
            [this] { loadPreset(default_preset()); });
    connect(session_, &SessionController::openFailed, this,
            [this](const QString& path, const QString& error) {
                refuseFile("Open session", path, error);
            });
    connect(session_, &SessionController::message, this,
            [this](const QString& m) { statusBar()->showMessage(m, 8000); });

    // Shortcuts keep working while the menu bar is hidden (presentation mode): the window itself
    // carries every menu action that has one.
    for (QAction* m : menuBar()->actions())
        if (m->menu())
            for (QAction* a : m->menu()->actions())
                if (!a->shortcut().isEmpty()) addAction(a);
    auto* leave = new QAction("Leave presentation mode", this);
    leave->setShortcut(Qt::Key_Escape);
    connect(leave, &QAction::triggered, this, [this] {
        if (presenting_) setPresentationMode(false);
    });
    addAction(leave);

    // Restore the user's layout (docks, sizes) from the last run.
    useSettings_ = restoreLayout;
    if (restoreLayout) {
        // Remembered per screen size: a layout made on a 1080p monitor does not fit a projector.
        QSettings settings;
        const QString key = layoutKey();
        if (settings.contains(key + "/state")) {
            restoreGeometry(settings.value(key + "/geometry").toByteArray());
            restoreState(settings.value(key + "/state").toByteArray());
        }
    }
    updateTitle();
}

MainWindow::~MainWindow() = default;

void MainWindow::refuseFile(const QString& title, const QString& path, const QString& error) {
    // Not modal: the running experiment stays as it was, nothing waits for a click.
    auto* box = new QMessageBox(QMessageBox::Warning, title,
                                "Cannot open " + QFileInfo(path).fileName() + ":\n" + error,
                                QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

bool MainWindow::openSweep(const QString& path, const QString& compareWith) {
    if (!sweep_) {
        sweep_ = new SweepView(this);
        // A window of its own: a sweep is not the experiment this window trains.
        sweep_->setWindowFlag(Qt::Window);
        sweep_->resize(1100, 720);
    }
    const QString error = sweep_->open(path);
    if (!error.isEmpty()) {
        refuseFile("Open sweep", path, error);
        return false;
    }
    if (!compareWith.isEmpty()) {
        const QString why = sweep_->compare(compareWith);
        if (!why.isEmpty()) refuseFile("Compare sweeps", compareWith, why);
    }
    sweep_->setWindowTitle(QFileInfo(path).fileName() + " — sweep — CrossbarLab");
    sweep_->show();
    sweep_->raise();
    return true;
}

void MainWindow::addPanel(const QString& name, const QString& title, QWidget* w, SnapshotView* v,
                          Qt::DockWidgetArea area, int minIntervalMs) {
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName("dock-" + name); // saveState() keys docks by object name
    dock->setWidget(w);
    addDockWidget(area, dock);
    panels_.append({name, title, dock, w, v, 0, minIntervalMs, {}});
    // A view hidden behind a tab skips snapshots; it catches up when it is shown.
    connect(dock, &QDockWidget::visibilityChanged, this, [this, name](bool visible) {
        if (visible)
            if (Panel* p = panel(name)) refreshPanel(*p);
    });
}

MainWindow::Panel* MainWindow::panel(const QString& name) {
    for (Panel& p : panels_)
        if (p.name == name) return &p;
    return nullptr;
}

const MainWindow::Panel* MainWindow::panel(const QString& name) const {
    for (const Panel& p : panels_)
        if (p.name == name) return &p;
    return nullptr;
}

QWidget* MainWindow::viewWidget(const QString& name) const {
    const Panel* p = panel(name);
    if (!p) return nullptr;
    return p->dock ? p->dock->widget() : p->widget;
}

void MainWindow::showView(const QString& name) {
    Panel* p = panel(name);
    if (!p) return;
    if (p->dock) {
        p->dock->show();
        p->dock->raise();
    }
    refreshPanel(*p);
}

void MainWindow::focusView(const QString& name, QSize size) {
    Panel* p = panel(name);
    if (!p) return;
    if (!p->dock) {
        for (Panel& q : panels_)
            if (q.dock) q.dock->hide();
    } else {
        // Float the dock alone; the view inside comes out at `size` (what a --size screenshot
        // saves), the dock's title and frame around it.
        p->dock->show();
        p->dock->setFloating(true);
        p->dock->resize(size);
        p->dock->layout()->activate();
        p->dock->resize(size + (p->dock->size() - p->dock->widget()->size()));
        p->dock->layout()->activate();
        p->dock->raise();
    }
    refreshPanel(*p);
}

QString MainWindow::layoutKey() const {
    const QSize s = screen() ? screen()->availableGeometry().size() : QSize();
    return QString("window/%1x%2").arg(s.width()).arg(s.height());
}

int MainWindow::minLeftColumn() const {
    // With a lesson its tab is the third on the left: Experiment, Device parameters and Try this
    // keep their titles whole from 330 px.
    return lesson_->hasLesson() ? 330 : 250;
}

bool MainWindow::compactLayout(QSize window) {
    return window.height() < 900;
}

void MainWindow::arrangeDocks(QSize window) {
    auto dock = [this](const char* name) { return panel(name)->dock; };
    for (Panel& p : panels_)
        if (p.dock) {
            p.dock->setFloating(false);
            p.dock->show();
        }
    // Controls on the left, learning curves on the right, the device physics as tabs.
    addDockWidget(Qt::LeftDockWidgetArea, dock("experiment"));
    addDockWidget(Qt::LeftDockWidgetArea, dock("parameters"));
    tabifyDockWidget(dock("experiment"), dock("parameters"));
    tabifyDockWidget(dock("experiment"), dock("lesson"));
    // Until a lesson is chosen its panel stays out of the way (View → Try this shows it): two
    // tabs keep their titles whole in the narrow column of a laptop.
    dock("lesson")->setVisible(lesson_->hasLesson());
    dock(lesson_->hasLesson() ? "lesson" : "experiment")->raise();
    addDockWidget(Qt::RightDockWidgetArea, dock("accuracy"));
    // A deep-RL run's task and rewards, or a GAN's digits, take the curves' place; their tab is
    // there only while one runs (a tab bar would cost the curves their labels on a 1280x720
    // projector).
    tabifyDockWidget(dock("accuracy"), dock("environment"));
    tabifyDockWidget(dock("accuracy"), dock("gan"));
    dock("environment")->setVisible(false);
    dock("gan")->setVisible(false);
    dock("accuracy")->raise();
    const bool compact = compactLayout(window);
    // Below 900 px a row of tabs under everything leaves every chart too short to label: on a
    // laptop or projector the physics tabs go under the learning curves, beside the heatmaps,
    // which keep the full height.
    if (compact)
        addDockWidget(Qt::RightDockWidgetArea, dock("sparsity"), Qt::Vertical);
    else
        addDockWidget(Qt::BottomDockWidgetArea, dock("sparsity"));
    for (const char* name :
         {"traces", "energy", "drift", "device-explorer", "runs", "side-by-side", "accelerator"})
        tabifyDockWidget(dock("sparsity"), dock(name));
    // Update sparsity in front: it fills after the first epoch, a few seconds.
    dock("sparsity")->raise();
    if (compact) {
        const int left = std::clamp(window.width() * 22 / 100, minLeftColumn(), 360);
        const int right = std::clamp(window.width() * 42 / 100, 400, 640);
        resizeDocks({dock("experiment"), dock("accuracy")}, {left, right}, Qt::Horizontal);
        // Of the height under the menu and tool bars (about 120 px with the status bar).
        const int column = window.height() - 160;
        resizeDocks({dock("accuracy"), dock("sparsity")}, {column * 58 / 100, column * 42 / 100},
                    Qt::Vertical);
    } else {
        resizeDocks({dock("experiment"), dock("accuracy")}, {360, 560}, Qt::Horizontal);
        resizeDocks({dock("sparsity")}, {300}, Qt::Vertical);
    }
    // Moving docks passes through arrangements that need more room than `window` (all tabs in
    // one row), and the window grows to fit them: back to the size asked for.
    layout()->activate();
    resize(window.expandedTo(minimumSizeHint()));
}

void MainWindow::buildActions() {
    QStyle* st = style();
    play_ = new QAction(st->standardIcon(QStyle::SP_MediaPlay), "Play", this);
    play_->setShortcut(Qt::Key_Space);
    play_->setToolTip("Train continuously (Space toggles play/pause)");
    stepImage_ = new QAction(st->standardIcon(QStyle::SP_MediaSeekForward), "Step image", this);
    stepImage_->setShortcut(Qt::Key_Right);
    stepImage_->setToolTip("Train one image, then pause (Right arrow)");
    stepBatch_ = new QAction("Step batch", this);
    stepBatch_->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_Right));
    stepBatch_->setToolTip("Train one mini-batch (training.batch_size images; 100 when the batch "
                           "is a single image), then pause (Shift+Right)");
    stepEpoch_ = new QAction(st->standardIcon(QStyle::SP_MediaSkipForward), "Step epoch", this);
    stepEpoch_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Right));
    stepEpoch_->setToolTip("Train to the end of the current epoch, then pause (Ctrl+Right)");
    reset_ = new QAction(st->standardIcon(QStyle::SP_BrowserReload), "Reset", this);
    reset_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    reset_->setToolTip("Start the experiment again from its initial state (Ctrl+R)");
    for (QAction* a : {play_, stepImage_, stepBatch_, stepEpoch_, reset_})
        a->setShortcutContext(Qt::ApplicationShortcut);
    connect(play_, &QAction::triggered, this, &MainWindow::togglePlay);
    connect(stepImage_, &QAction::triggered, this, [this] { stepImages(1); });
    connect(stepBatch_, &QAction::triggered, this, [this] {
        const int b = last_ ? last_->config.training.batch_size : 1;
        stepImages(b > 1 ? b : 100);
    });
    connect(stepEpoch_, &QAction::triggered, this, [this] {
        bridge_->engine().step_epoch();
        comparisons_->pause();
    });
    connect(reset_, &QAction::triggered, this, &MainWindow::reset);

    runBar_ = addToolBar("Run");
    runBar_->setObjectName("runToolBar");
    runBar_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    runBar_->addAction(play_);
    // As wide as its wider label, so Play <-> Pause leaves the tool bar's layout alone.
    if (QWidget* b = runBar_->widgetForAction(play_)) {
        int widest = 0;
        for (const char* t : {"Pause", "Play"}) {
            play_->setText(t);
            widest = std::max(widest, b->sizeHint().width());
        }
        b->setMinimumWidth(widest);
    }
    runBar_->addAction(stepImage_);
    runBar_->addAction(stepBatch_);
    runBar_->addAction(stepEpoch_);
    runBar_->addAction(reset_);
    runBar_->addSeparator();
    runBar_->addWidget(new QLabel(" Speed: "));
    speed_ = new QComboBox;
    speed_->addItem("as fast as possible", 0.0);
    for (double r : {1.0, 10.0, 100.0, 1000.0, 10000.0})
        speed_->addItem(rate_text(r), r);
    speed_->setToolTip("Throttle training for demonstrations; the charts stay live either way");
    runBar_->addWidget(speed_);
    connect(speed_, &QComboBox::currentIndexChanged, this,
            [this] { bridge_->engine().set_speed(speed_->currentData().toDouble()); });
    runBar_->addSeparator();
    counters_ = new QLabel;
    counters_->setTextFormat(Qt::RichText);
    counters_->setMinimumWidth(400);
    runBar_->addWidget(counters_);
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu("&File");
    session_->populateMenu(file);
    QAction* sweep = file->addAction("Open s&weep…", this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, "Open sweep", QString(),
                                                          "Sweeps (*.h5);;All files (*)");
        if (!path.isEmpty()) openSweep(path);
    });
    sweep->setToolTip("A file of crossbarlab-cli sweep: maps of its metrics over the swept "
                      "parameters");
    file->addSeparator();
    QMenu* exp = file->addMenu("&Export");
    exp->addAction("Current view as PNG…", this, [this] { exportCurrentDialog("png"); });
    exp->addAction("Current view as SVG…", this, [this] { exportCurrentDialog("svg"); });
    exp->addAction("All views and metrics to folder…", this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, "Export all views to");
        if (dir.isEmpty()) return;
        const QString err = exportAll(dir);
        if (!err.isEmpty())
            QMessageBox::warning(this, "Export", err);
        else
            statusBar()->showMessage("Exported every view to " + dir, 8000);
    });
    exp->addAction("Metrics as CSV…", this, [this] {
        if (!last_) return;
        const QString path =
            QFileDialog::getSaveFileName(this, "Metrics CSV", "metrics.csv", "CSV (*.csv)");
        if (path.isEmpty()) return;
        const QString err = export_metrics_csv(*last_, path);
        if (!err.isEmpty()) QMessageBox::warning(this, "Export", err);
    });
    exp->addAction("Events as CSV…", this, [this] {
        if (!last_) return;
        const QString path =
            QFileDialog::getSaveFileName(this, "Events CSV", "events.csv", "CSV (*.csv)");
        if (path.isEmpty()) return;
        const QString err = export_events_csv(*last_, path);
        if (!err.isEmpty()) QMessageBox::warning(this, "Export", err);
    });
    file->addSeparator();
    QAction* quit = file->addAction("&Quit", this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* run = menuBar()->addMenu("&Run");
    run->addActions({play_, stepImage_, stepBatch_, stepEpoch_, reset_});

    viewMenu_ = menuBar()->addMenu("&View");
    for (const Panel& p : panels_)
        if (p.dock) viewMenu_->addAction(p.dock->toggleViewAction());
    viewMenu_->addSeparator();
    presentation_ = viewMenu_->addAction("&Presentation mode");
    presentation_->setCheckable(true);
    presentation_->setShortcut(Qt::Key_F11);
    presentation_->setToolTip("Full screen, large fonts, only the chosen panels (F11)");
    connect(presentation_, &QAction::toggled, this, [this](bool on) { setPresentationMode(on); });
    viewMenu_->addAction("Choose presentation panels…", this,
                         &MainWindow::choosePresentationPanels);
    viewMenu_->addAction("Reset layout", this, [this] {
        if (presenting_) setPresentationMode(false);
        arrangeDocks(size());
    });

    QMenu* cmp = menuBar()->addMenu("&Compare");
    cmp->addAction("Add a run from a preset…", this, &MainWindow::addComparisonPreset);
    cmp->addAction("Add 2 more seeds of this experiment (mean ± std)", this, &MainWindow::addSeeds);
    cmp->addAction("Remove comparison runs", this, [this] { comparisons_->clear(); });

    QMenu* help = menuBar()->addMenu("&Help");
    help->addAction("Try this…", this, &MainWindow::chooseLesson)
        ->setToolTip("Guided experiments: load one, do what it says, answer its question");
    help->addSeparator();
    help->addAction("Keyboard shortcuts", this, [this] {
        QMessageBox::information(
            this, "Keyboard shortcuts",
            "Space: play / pause\nRight: step one image\nShift+Right: step one batch\n"
            "Ctrl+Right: step to the end of the epoch\nCtrl+R: reset\nF11: presentation mode\n"
            "Ctrl+N / Ctrl+O / Ctrl+S / Ctrl+Shift+S: new / open / save / save as\n"
            "Heatmap: hover for values, click to pin a synapse, wheel to zoom, drag to pan, "
            "double-click for the whole layer");
    });
    help->addAction("About CrossbarLab", this, [this] {
        QMessageBox::about(this, "CrossbarLab",
                           QString("CrossbarLab %1\nTrain neural networks on simulated memristive "
                                   "crossbars and watch the device physics live.")
                               .arg(QApplication::applicationVersion()));
    });
}

bool MainWindow::loadPreset(const QString& name) {
    try {
        loadConfig(load_preset(name.toStdString()));
        return true;
    } catch (const std::exception& e) {
        QMessageBox::warning(this, "Preset", QString::fromStdString(e.what()));
        return false;
    }
}

bool MainWindow::startLesson(const QString& name) {
    try {
        beginLesson(load_lesson(name.toStdString()));
        return true;
    } catch (const std::exception& e) {
        QMessageBox::warning(this, "Lesson", QString::fromStdString(e.what()));
        return false;
    }
}

void MainWindow::chooseLesson() {
    LessonChooser chooser(load_lessons(), this);
    if (chooser.exec() == QDialog::Accepted && chooser.chosen()) beginLesson(*chooser.chosen());
}

void MainWindow::offerLessonsOnce() {
    QSettings settings;
    if (settings.value("lessons/offered", false).toBool()) return;
    // Set before asking: "Not now" means not again either (Help → Try this… stays).
    settings.setValue("lessons/offered", true);
    chooseLesson();
}

void MainWindow::beginLesson(const Lesson& l) {
    if (!confirmRestart("Starting the lesson \"" + QString::fromStdString(l.title) + "\"",
                        LiveEdits::replaced))
        return;
    loadConfig(l.config);
    lesson_->showLesson(l);
    showView("lesson");
    QDockWidget* d = panel("lesson")->dock;
    if (!d->isFloating() && d->width() < minLeftColumn())
        resizeDocks({d}, {minLeftColumn()}, Qt::Horizontal);
    // The central heatmaps are always in view: a lesson picks their tab; other names are docks.
    for (const std::string& name : l.show) {
        if (name == "heatmaps")
            heatmaps_->setQuantity(HeatmapPanel::GPlus);
        else if (name == "weights")
            heatmaps_->setQuantity(HeatmapPanel::Weight);
        else if (name == "pulses")
            heatmaps_->setQuantity(HeatmapPanel::Pulses);
        else if (name == "chi")
            heatmaps_->setQuantity(HeatmapPanel::Chi);
        else
            showView(QString::fromStdString(name));
    }
}

void MainWindow::loadConfig(const ExperimentConfig& config) {
    comparisons_->pause();
    // A config that does not build keeps the running experiment (and its file); the error
    // shows in the status bar.
    bridge_->engine().load(config, nullptr, verdict_on_gui(this, [this](const ParameterVerdict& v) {
                               if (!v.accepted) return;
                               session_->markNew();
                               restartOrRemoveComparisons("A new experiment");
                           }));
}

void MainWindow::restartOrRemoveComparisons(const QString& what) {
    const int n = comparisons_->count();
    if (n == 0) return;
    // Left as they were, the runs would be ahead of the main one and the overlays out of step.
    QMessageBox box(
        QMessageBox::Question, "Comparison runs",
        what + " starts from the beginning. The " +
            (n == 1 ? QString("comparison run") : QString::number(n) + " comparison runs") +
            " beside it can restart with it, in step, or be removed.",
        QMessageBox::NoButton, this);
    QPushButton* restart = box.addButton("Restart them", QMessageBox::AcceptRole);
    box.addButton("Remove them", QMessageBox::DestructiveRole);
    box.setDefaultButton(restart);
    box.exec();
    if (box.clickedButton() == restart)
        comparisons_->reset();
    else
        comparisons_->clear();
}

void MainWindow::applyConfig(const ExperimentConfig& config, const QString& what) {
    // Ask to discard the training only for a config that builds.
    bridge_->engine().check_config(
        config, verdict_on_gui(this, [this, config, what](const ParameterVerdict& v) {
            if (!v.accepted)
                QMessageBox::warning(this, "Settings", QString::fromStdString(v.message));
            else if (confirmRestart(what, LiveEdits::kept))
                loadConfig(config);
        }));
}

QStringList MainWindow::liveEdits() const {
    // The events are the live changes since the run was loaded; a field changed twice counts
    // with its last value.
    QStringList paths, labels;
    if (!last_) return labels;
    const std::string family = last_->config.tile.device.family();
    for (const Event& e : last_->events) {
        const QString path = QString::fromStdString(e.what.substr(0, e.what.find(" = ")));
        const QString label = event_label(e.what, family);
        if (const qsizetype i = paths.indexOf(path); i >= 0)
            labels[i] = label;
        else
            paths.append(path), labels.append(label);
    }
    return labels;
}

bool MainWindow::confirmRestart(const QString& what, LiveEdits edits) {
    if (!last_ || last_->step == 0) return true;
    QString text = what.toHtmlEscaped() + " restarts the experiment: the training so far (" +
                   QLocale().toString(qulonglong(last_->step)) +
                   " images) is discarded unless you save the session first.";
    // A leftover live change (a learning rate of 9) would otherwise shape the new run unseen.
    const QStringList changes = liveEdits();
    if (!changes.isEmpty() && edits != LiveEdits::replaced) {
        text += edits == LiveEdits::kept
                    ? QString("<p>The new run keeps the live changes made since this one was "
                              "loaded (set them back under Device parameters first if it "
                              "should not):")
                    : QString("<p>It goes back to the settings this run was loaded with, "
                              "undoing the live changes made since:");
        text += "<ul>";
        for (const QString& c : changes)
            text += "<li>" + c.toHtmlEscaped() + "</li>";
        text += "</ul>";
    }
    QMessageBox box(QMessageBox::Question, "Restart the experiment?", text, QMessageBox::NoButton,
                    this);
    box.setTextFormat(Qt::RichText);
    QPushButton* save = box.addButton("Save first", QMessageBox::AcceptRole);
    save->setToolTip("Save the session (File → Save), then restart");
    QPushButton* restart = box.addButton("Restart", QMessageBox::DestructiveRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(save);
    box.exec();
    if (box.clickedButton() == restart) return true;
    return box.clickedButton() == save && session_->saveWaiting();
}

void MainWindow::togglePlay() {
    if (last_ && last_->running)
        pause();
    else
        play();
}

void MainWindow::play() {
    // The engine keeps a finished run paused: say so, and how to go on.
    if (last_ && last_->finished && last_->divergence.empty() && last_->rl) {
        statusBar()->showMessage(
            QString("The deep-RL run has finished after %1 episodes. To play on, raise "
                    "“rl.episodes” in Experiment; to start again, press Reset (Ctrl+R).")
                .arg(last_->epochs_done),
            15000);
        return;
    }
    if (last_ && last_->finished && last_->divergence.empty() && last_->gan) {
        statusBar()->showMessage(
            QString("The GAN run has finished its %1 %2. To train longer, set more epochs in "
                    "Experiment and load it; to start again, press Reset (Ctrl+R).")
                .arg(last_->epochs_total)
                .arg(last_->epochs_total == 1 ? "epoch" : "epochs"),
            15000);
        return;
    }
    if (last_ && last_->finished && last_->divergence.empty()) {
        statusBar()->showMessage(
            QString("The run has finished its %1 %2. To train on, raise “epochs” in Device "
                    "parameters → Training (it applies live); to start again, press Reset "
                    "(Ctrl+R).")
                .arg(last_->epochs_total)
                .arg(last_->epochs_total == 1 ? "epoch" : "epochs"),
            15000);
        return;
    }
    bridge_->engine().play();
    comparisons_->play();
}

void MainWindow::pause() {
    bridge_->engine().pause();
    comparisons_->pause();
}

void MainWindow::reset() {
    if (!confirmRestart("Reset", LiveEdits::undone)) return;
    bridge_->engine().reset();
    restartOrRemoveComparisons("Reset");
}

void MainWindow::stepImages(int images) {
    bridge_->engine().step_images(images);
    comparisons_->pause();
}

void MainWindow::refreshPanel(Panel& p) {
    if (!last_ || !p.view || p.shown == last_->version) return;
    p.shown = last_->version;
    p.drawn.start();
    p.view->showSnapshot(last_);
}

void MainWindow::drawDuePanel() {
    while (last_ && !duePanels_.isEmpty()) {
        Panel& p = panels_[duePanels_.takeFirst()];
        if (p.shown == last_->version) continue;
        refreshPanel(p);
        break;
    }
    if (!duePanels_.isEmpty()) panelTimer_->start();
}

void MainWindow::showSnapshot(const SnapshotPtr& s) {
    last_ = s;
    const std::string task = s->rl ? "rl" : s->gan ? "gan" : "supervised";
    if (task != shownTask_ && s->loading.empty()) {
        shownTask_ = task;
        panel("environment")->dock->setVisible(task == "rl");
        panel("gan")->dock->setVisible(task == "gan");
        panel(task == "rl" ? "environment" : task == "gan" ? "gan" : "accuracy")->dock->raise();
    }
    duePanels_.clear();
    for (int i = 0; i < panels_.size(); ++i) {
        const Panel& p = panels_[i];
        // Views out of sight skip the work: with a full-speed run this keeps the GUI thread
        // (and the core it shares with training) free.
        // The view itself, not a frameless scroll area around it: its opaque viewport covers
        // all of the area, whose own visible region is then empty.
        const auto* seen = dynamic_cast<const QWidget*>(p.view);
        if (!seen) seen = p.widget;
        const bool visible = seen->isVisible() && !seen->visibleRegion().isEmpty();
        if (!visible && p.name != "experiment" && p.name != "parameters") continue;
        if (s->running && p.minIntervalMs > 0 && p.drawn.isValid() &&
            p.drawn.elapsed() < p.minIntervalMs)
            continue;
        duePanels_.append(i);
    }
    // The first now, the others one per pass of the event loop: an epoch's end redraws five
    // or six views, 30-55 ms of layout and painting in one piece, longer than input may wait
    // (issue 20's 50 ms); one view's update and paint at a time is 5-20 ms.
    drawDuePanel();
    if (numbers_->isVisible()) numbers_->showSnapshot(s);
    if (play_->text() != (s->running ? "Pause" : "Play")) {
        // Only on a change: a new icon relayouts the tool bar.
        play_->setText(s->running ? "Pause" : "Play");
        play_->setIcon(
            style()->standardIcon(s->running ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
    }
    const int epoch = std::min(s->epochs_done + 1, std::max(1, s->epochs_total));
    const bool rl = s->rl.has_value();
    // A deep-RL run counts episodes of environment steps (a solved task ends it early).
    QString counters = rl ? QString("episode <b>%1</b>/%2 · step <b>%3</b>/%4")
                                .arg(QLocale().toString(s->finished ? s->epochs_done : epoch))
                                .arg(QLocale().toString(s->epochs_total))
                                .arg(QLocale().toString(s->position))
                                .arg(QLocale().toString(s->epoch_size))
                          : QString("epoch <b>%1</b>/%2 · image <b>%3</b>/%4")
                                    .arg(s->finished ? s->epochs_total : epoch)
                                    .arg(s->epochs_total)
                                    .arg(QLocale().toString(s->position))
                                    .arg(QLocale().toString(s->epoch_size)) +
                                // A GAN's devices keep no clock of their own in the view.
                                (s->gan ? QString()
                                        : QString(" · device time <b>%1</b>")
                                              .arg(duration_text(s->simulated_time_s)));
    if (s->running)
        counters += QString(" · <b>%1</b> · ETA %2")
                        .arg(rl ? rate_text(s->images_per_second, "step", "steps")
                                : rate_text(s->images_per_second))
                        .arg(duration_text(s->eta_s));
    else if (!s->divergence.empty())
        counters += " · <b>diverged</b>";
    else if (s->finished)
        counters += " · <b>finished</b>";
    else
        counters += " · paused";
    if (!s->loading.empty()) counters = "<b>" + QString::fromStdString(s->loading) + "…</b>";
    counters_->setText(counters);
    // Widen, never narrow: a width that followed the text (image 9,999 -> 10,000, or a Reset's
    // short line) would lay out and repaint the tool bar at every such snapshot.
    if (counters_->sizeHint().width() > counters_->minimumWidth())
        counters_->setMinimumWidth(counters_->sizeHint().width());
    statusText_->setText(s->error.empty()
                             ? QString::fromStdString(s->dataset)
                             : "<span style='color:#b00020'>Error: " +
                                   QString::fromStdString(s->error).toHtmlEscaped() + "</span>");
    if (!s->error.empty() && QString::fromStdString(s->error) != lastError_)
        statusBar()->showMessage(QString::fromStdString(s->error), 10000);
    lastError_ = QString::fromStdString(s->error);
    session_->onSnapshot(s);
    Q_EMIT snapshotShown(s);
}

void MainWindow::updateTitle() {
    const QString name = session_->displayName();
    setWindowTitle(QString("%1[*] — CrossbarLab").arg(name));
    setWindowModified(session_->isDirty());
}

QString MainWindow::activePanelName() const {
    // The view under the keyboard focus, else the heatmaps.
    QWidget* f = QApplication::focusWidget();
    for (const Panel& p : panels_) {
        QWidget* w = p.dock ? p.dock->widget() : p.widget;
        if (f && (w == f || w->isAncestorOf(f))) return p.name;
    }
    return "heatmaps";
}

void MainWindow::exportCurrentDialog(const QString& suffix) {
    QStringList names;
    for (const Panel& p : panels_)
        names.append(p.name);
    bool ok = false;
    const QString name = QInputDialog::getItem(this, "Export view", "View:", names,
                                               int(names.indexOf(activePanelName())), false, &ok);
    if (!ok) return;
    const QString path =
        QFileDialog::getSaveFileName(this, "Export " + name, name + "." + suffix,
                                     suffix == "png" ? "PNG image (*.png)" : "SVG drawing (*.svg)");
    if (path.isEmpty()) return;
    const QString err = exportView(name, path);
    if (!err.isEmpty())
        QMessageBox::warning(this, "Export", err);
    else
        statusBar()->showMessage("Exported " + path, 8000);
}

QString MainWindow::exportView(const QString& name, const QString& path) {
    Panel* p = panel(name);
    if (!p) return "unknown view " + name;
    refreshPanel(*p);
    QWidget* w = p->dock ? p->dock->widget() : p->widget;
    if (path.endsWith(".svg", Qt::CaseInsensitive)) return export_svg(w, path, p->title);
    return export_png(w, path);
}

QString MainWindow::exportAll(const QString& dir) {
    QDir().mkpath(dir);
    for (const Panel& p : panels_) {
        if (p.name == "parameters" || p.name == "experiment" || p.name == "lesson") continue;
        for (const char* ext : {".png", ".svg"}) {
            const QString err = exportView(p.name, dir + "/" + p.name + ext);
            if (!err.isEmpty()) return err;
        }
    }
    if (last_) {
        QString err = export_metrics_csv(*last_, dir + "/metrics.csv");
        if (err.isEmpty()) err = export_events_csv(*last_, dir + "/events.csv");
        return err;
    }
    return {};
}

void MainWindow::setPresentationMode(bool on, bool fullScreen) {
    if (on == presenting_) return;
    QSettings settings;
    if (on) {
        normalState_ = saveState();
        normalFont_ = font();
        normalMaximized_ = isMaximized();
        // Screenshots (no saved layout) use the defaults, so they come out the same anywhere.
        const QStringList chosen =
            (useSettings_ ? settings.value("presentation/panels", kDefaultPresentationPanels)
                          : QVariant(kDefaultPresentationPanels))
                .toString()
                .split(',');
        // The first chosen panel beside the heatmaps, any others as tabs behind it: a third
        // panel stacked beside two others leaves every chart too short to label.
        QList<QDockWidget*> shown;
        for (const QString& name : chosen) {
            Panel* p = panel(name);
            if (!p || !p->dock || shown.contains(p->dock)) continue;
            p->dock->setFloating(false);
            if (shown.isEmpty())
                addDockWidget(Qt::RightDockWidgetArea, p->dock);
            else
                tabifyDockWidget(shown.first(), p->dock);
            shown.append(p->dock);
        }
        for (Panel& p : panels_)
            if (p.dock) p.dock->setVisible(shown.contains(p.dock));
        if (!shown.isEmpty()) shown.first()->raise();
        QFont f = font();
        f.setPointSizeF(
            f.pointSizeF() *
            (useSettings_ ? settings.value("presentation/fontScale", 1.6).toDouble() : 1.6));
        setFont(f);
        menuBar()->hide();
        statusBar()->hide();
        runBar_->hide();
        heatmaps_->setInfoVisible(false);
        accuracy_->headlineLabel()->hide(); // the strip shows it
        numbersBar_->show();
        if (last_) numbers_->showSnapshot(last_);
        presenting_ = true;
        if (fullScreen) showFullScreen();
        if (!shown.isEmpty()) resizeDocks({shown.first()}, {width() / 2}, Qt::Horizontal);
    } else {
        setFont(normalFont_);
        menuBar()->show();
        statusBar()->show();
        numbersBar_->hide();
        runBar_->show();
        heatmaps_->setInfoVisible(true);
        accuracy_->headlineLabel()->show();
        presenting_ = false;
        if (isFullScreen()) {
            if (normalMaximized_)
                showMaximized();
            else
                showNormal();
        }
        restoreState(normalState_);
    }
    if (presentation_->isChecked() != on) presentation_->setChecked(on);
    for (Panel& p : panels_)
        p.shown = 0, refreshPanel(p);
}

void MainWindow::choosePresentationPanels() {
    QSettings settings;
    const QStringList chosen =
        settings.value("presentation/panels", kDefaultPresentationPanels).toString().split(',');
    QDialog dlg(this);
    dlg.setWindowTitle("Presentation panels");
    auto* list = new QListWidget;
    for (const Panel& p : panels_) {
        if (!p.dock) continue;
        auto* item = new QListWidgetItem(p.title, list);
        item->setData(Qt::UserRole, p.name);
        item->setCheckState(chosen.contains(p.name) ? Qt::Checked : Qt::Unchecked);
    }
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, &dlg, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dlg, &QDialog::reject);
    auto* lay = new QVBoxLayout(&dlg);
    lay->addWidget(new QLabel("Panels shown beside the heatmaps in presentation mode (the first "
                              "in front, any others as tabs behind it):"));
    lay->addWidget(list);
    lay->addWidget(buttons);
    if (dlg.exec() != QDialog::Accepted) return;
    QStringList names = {"heatmaps"};
    for (int i = 0; i < list->count(); ++i)
        if (list->item(i)->checkState() == Qt::Checked)
            names.append(list->item(i)->data(Qt::UserRole).toString());
    settings.setValue("presentation/panels", names.join(','));
}

void MainWindow::addComparisonPreset() {
    if (!roomForComparisons(1)) return;
    QStringList names;
    for (const auto& n : supervised_preset_names())
        names.append(QString::fromStdString(n));
    bool ok = false;
    const QString name = QInputDialog::getItem(
        this, "Comparison run", "Train this preset beside the main run:", names, 0, false, &ok);
    if (ok) addComparisonRun(name);
}

bool MainWindow::addComparisonRun(const QString& preset) {
    if (!roomForComparisons(1)) return false;
    try {
        ExperimentConfig c = load_preset(preset.toStdString());
        // Same data (and its limits) and as many epochs as the main run, so the curves compare
        // over the same axis.
        if (last_) {
            c.dataset = last_->config.dataset;
            c.training.epochs = last_->config.training.epochs;
        }
        comparisons_->add(c, preset);
        showView("accuracy");
        return true;
    } catch (const std::exception& e) {
        QMessageBox::warning(this, "Comparison run", QString::fromStdString(e.what()));
        return false;
    }
}

bool MainWindow::roomForComparisons(int more) {
    const int n = comparisons_->count();
    const int most = int(max_comparison_runs);
    if (n + more <= most) return true;
    // A session keeps at most that many: more could not be saved (nor autosaved).
    const QString text =
        QString("At most %1 comparison runs train beside the main one (a session keeps no "
                "more); %2 %3 there already, this would add %4. Remove them first (Compare → "
                "Remove comparison runs).")
            .arg(most)
            .arg(n)
            .arg(n == 1 ? "is" : "are")
            .arg(more);
    statusBar()->showMessage(text, 15000);
    auto* box =
        new QMessageBox(QMessageBox::Information, "Comparison runs", text, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    return false;
}

void MainWindow::addSeeds() {
    if (!last_ || !roomForComparisons(2)) return;
    for (int k = 1; k <= 2; ++k) {
        ExperimentConfig c = last_->config;
        c.training.seed = last_->config.training.seed + k;
        comparisons_->add(c, QString::fromStdString(last_->config.name) + " seeds", 0);
    }
    showView("accuracy");
}

void MainWindow::childEvent(QChildEvent* e) {
    QMainWindow::childEvent(e);
    // Eight physics tabs do not fit the right column of a 1366x768 laptop (573 px) or a
    // 1280x720 projector, and titles cut to "Upd…", "Syn…" cannot be read from the back of a
    // room: whole titles, the tabs beyond the edge behind scroll arrows (and in the View menu).
    if (e->type() == QEvent::ChildPolished)
        if (auto* bar = qobject_cast<QTabBar*>(e->child())) {
            bar->setElideMode(Qt::ElideNone);
            bar->setUsesScrollButtons(true);
        }
}

void MainWindow::closeEvent(QCloseEvent* e) {
    if (!session_->maybeSave()) {
        e->ignore();
        return;
    }
    if (presenting_) setPresentationMode(false);
    QSettings settings;
    settings.setValue(layoutKey() + "/geometry", saveGeometry());
    settings.setValue(layoutKey() + "/state", saveState());
    session_->shutdown();
    e->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
    for (const QUrl& u : e->mimeData()->urls())
        if (u.isLocalFile() && u.toLocalFile().endsWith(".h5", Qt::CaseInsensitive)) {
            e->acceptProposedAction();
            return;
        }
}

void MainWindow::dropEvent(QDropEvent* e) {
    for (const QUrl& u : e->mimeData()->urls())
        if (u.isLocalFile() && u.toLocalFile().endsWith(".h5", Qt::CaseInsensitive)) {
            session_->openFile(u.toLocalFile());
            e->acceptProposedAction();
            return;
        }
}

} // namespace cbl::ui
