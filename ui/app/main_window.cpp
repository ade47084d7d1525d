#include "ui/app/main_window.hpp"

#include "core/experiment/config.hpp"
#include "ui/app/engine_bridge.hpp"
#include "ui/views/accuracy_chart.hpp"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QMessageBox>
#include <QStatusBar>
#include <QToolBar>

namespace cbl::ui {

namespace {
QString duration_text(double s) {
    if (s < 60) return QString::number(s, 'f', 1) + " s";
    if (s < 3600) return QString::number(s / 60, 'f', 1) + " min";
    if (s < 86400) return QString::number(s / 3600, 'f', 2) + " h";
    return QString::number(s / 86400, 'f', 2) + " days";
}
} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), bridge_(new EngineBridge(this)) {
    setWindowTitle("CrossbarLab");
    resize(1280, 800);

    auto* run = addToolBar("Run");
    run->setObjectName("runToolBar");
    play_ = run->addAction("Play");
    play_->setShortcut(Qt::Key_Space);
    play_->setToolTip("Train continuously (Space)");
    step_ = run->addAction("Step image");
    step_->setShortcut(Qt::Key_Right);
    step_->setToolTip("Train one image, then pause (Right arrow)");
    stepEpoch_ = run->addAction("Step epoch");
    stepEpoch_->setToolTip("Train to the end of the current epoch, then pause");
    reset_ = run->addAction("Reset");
    reset_->setToolTip("Start the experiment again from its initial state");
    run->addSeparator();
    run->addWidget(new QLabel(" Preset: "));
    presets_ = new QComboBox;
    for (const auto& name : preset_names()) {
        const ExperimentConfig c = load_preset(name);
        presets_->addItem(QString::fromStdString(name));
        presets_->setItemData(presets_->count() - 1,
                              QString::fromStdString(c.description + "\n" + c.reproduces),
                              Qt::ToolTipRole);
    }
    presets_->setToolTip("Experiment preset: the paper setting it reproduces is in each tooltip");
    run->addWidget(presets_);

    accuracy_ = new AccuracyChart;
    setCentralWidget(accuracy_);

    progress_ = new QLabel;
    rate_ = new QLabel;
    simTime_ = new QLabel;
    statusBar()->addWidget(progress_, 1);
    statusBar()->addPermanentWidget(simTime_);
    statusBar()->addPermanentWidget(rate_);

    connect(play_, &QAction::triggered, this, &MainWindow::togglePlay);
    connect(step_, &QAction::triggered, this, [this] { bridge_->engine().step_images(1); });
    connect(stepEpoch_, &QAction::triggered, this, [this] { bridge_->engine().step_epoch(); });
    connect(reset_, &QAction::triggered, this, [this] { bridge_->engine().reset(); });
    connect(presets_, &QComboBox::textActivated, this, &MainWindow::loadPreset);
    connect(bridge_, &EngineBridge::snapshotReady, this, &MainWindow::showSnapshot);
}

MainWindow::~MainWindow() = default;

void MainWindow::loadPreset(const QString& name) {
    try {
        bridge_->engine().load(load_preset(name.toStdString()));
        presets_->setCurrentText(name);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, "Preset", QString::fromStdString(e.what()));
    }
}

void MainWindow::togglePlay() {
    if (last_ && last_->running) bridge_->engine().pause();
    else bridge_->engine().play();
}

void MainWindow::showSnapshot(const SnapshotPtr& s) {
    last_ = s;
    accuracy_->showSnapshot(*s);
    play_->setText(s->running ? "Pause" : "Play");
    const int epoch = std::min(s->epochs_done + 1, std::max(1, s->epochs_total));
    progress_->setText(s->error.empty()
                           ? QString("%1 — epoch %2/%3, image %4/%5%6")
                                 .arg(QString::fromStdString(s->dataset))
                                 .arg(epoch)
                                 .arg(s->epochs_total)
                                 .arg(s->position)
                                 .arg(s->epoch_size)
                                 .arg(s->finished ? " — finished" : "")
                           : "Error: " + QString::fromStdString(s->error));
    rate_->setText(s->running ? QString("%1 images/s, ETA %2")
                                    .arg(s->images_per_second, 0, 'f', 0)
                                    .arg(duration_text(s->eta_s))
                              : "paused");
    simTime_->setText("device time " + duration_text(s->simulated_time_s) + "  ");
    Q_EMIT snapshotShown(s);
}

} // namespace cbl::ui
