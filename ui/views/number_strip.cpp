#include "ui/views/number_strip.hpp"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

#include <cmath>

namespace cbl::ui {

NumberStrip::NumberStrip(QWidget* parent) : QWidget(parent) {
    setObjectName("numberStrip");
    auto* lay = new QHBoxLayout(this);
    lay->setContentsMargins(12, 4, 12, 6);
    lay->setSpacing(28);
    addTile("accuracy", "test accuracy",
            "Share of the test images classified correctly after the last finished epoch");
    addTile("epoch", "epoch", "The epoch in progress and the images of it trained so far");
    addTile("updates", "device updates this epoch",
            "Programming pulses applied to the devices in this epoch, and how many times fewer "
            "than the weight changes a full-precision update would make (last finished epoch)");
    addTile("energy", "energy per image",
            "Modelled energy of one training image on the simulated hardware (Energy panel)");
    lay->addStretch(1);
    hint_ = new QLabel("<b>Esc</b> leaves presentation<br><b>Space</b> plays / pauses");
    hint_->setTextFormat(Qt::RichText);
    hint_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    hint_->setToolTip("F11 comes back to presentation mode");
    lay->addWidget(hint_);
    applyFonts();
}

void NumberStrip::addTile(const QString& name, const QString& caption, const QString& tooltip) {
    auto* box = new QWidget;
    box->setToolTip(tooltip);
    auto* v = new QVBoxLayout(box);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(0);
    Tile t{name, new QLabel(caption), new QLabel("—"), new QLabel(" ")};
    for (QLabel* l : {t.caption, t.value, t.detail})
        v->addWidget(l);
    t.value->setObjectName("value-" + name);
    tiles_.append(t);
    static_cast<QHBoxLayout*>(layout())->addWidget(box);
}

NumberStrip::Tile* NumberStrip::tile(const QString& name) {
    for (Tile& t : tiles_)
        if (t.name == name) return &t;
    return nullptr;
}

const NumberStrip::Tile* NumberStrip::tile(const QString& name) const {
    for (const Tile& t : tiles_)
        if (t.name == name) return &t;
    return nullptr;
}

QString NumberStrip::value(const QString& name) const {
    const Tile* t = tile(name);
    return t ? t->value->text() : QString();
}

QString NumberStrip::detail(const QString& name) const {
    const Tile* t = tile(name);
    return t ? t->detail->text() : QString();
}

void NumberStrip::changeEvent(QEvent* e) {
    // The window's font (presentation mode scales it) sets the size of everything here.
    if (e->type() == QEvent::FontChange && !fonting_) applyFonts();
    QWidget::changeEvent(e);
}

void NumberStrip::applyFonts() {
    fonting_ = true;
    const QFont base = font();
    QFont small = base;
    small.setPointSizeF(base.pointSizeF() * 0.8);
    QFont big = base;
    big.setPointSizeF(base.pointSizeF() * 2);
    big.setBold(true);
    // Darker than placeholder grey: a projector washes light grey out.
    QColor grey = palette().windowText().color();
    grey.setAlpha(190);
    for (Tile& t : tiles_) {
        t.caption->setFont(small);
        t.detail->setFont(small);
        t.value->setFont(big);
        for (QLabel* l : {t.caption, t.detail}) {
            QPalette p = l->palette();
            p.setColor(QPalette::WindowText, grey);
            l->setPalette(p);
        }
    }
    hint_->setFont(small);
    fonting_ = false;
}

void NumberStrip::showSnapshot(const SnapshotPtr& sp) {
    const Snapshot& s = *sp;
    const QLocale loc;
    Tile* acc = tile("accuracy");
    if (s.history.empty()) {
        acc->value->setText("—");
        acc->detail->setText("after the first epoch");
    } else {
        acc->value->setText(loc.toString(100 * s.history.back().test_accuracy, 'f', 2) + " %");
        acc->detail->setText(QString("after epoch %1").arg(s.history.back().epoch));
    }

    Tile* ep = tile("epoch");
    const int epoch =
        s.finished ? s.epochs_total : std::min(s.epochs_done + 1, std::max(1, s.epochs_total));
    ep->value->setText(QString("%1 / %2").arg(epoch).arg(s.epochs_total));
    ep->detail->setText(s.finished ? QString("finished")
                                   : QString("image %1 of %2")
                                         .arg(loc.toString(s.position))
                                         .arg(loc.toString(s.epoch_size)));

    // This epoch's pulses (per synapse in the layer pictures); the ratio to full precision is
    // known per finished epoch.
    Tile* up = tile("updates");
    double pulses = 0;
    bool devices = false;
    for (const LayerPicture& l : s.layers)
        if (l.pulses_epoch.size() > 0) {
            devices = true;
            pulses += double(l.pulses_epoch.cast<double>().sum());
        }
    QString ratio;
    if (!s.history.empty()) {
        double dev = 0, fp = 0;
        for (auto v : s.history.back().device_updates)
            dev += double(v);
        for (auto v : s.history.back().fp_equivalent_updates)
            fp += double(v);
        if (dev > 0)
            ratio = QString("%1× fewer than full precision").arg(loc.toString(fp / dev, 'f', 0));
    }
    up->caption->setText("device updates this epoch");
    if (!devices) {
        up->value->setText("—");
        up->detail->setText("full precision: no devices");
    } else if (s.position == 0 && !s.history.empty()) {
        // Between epochs (or at the end): the epoch just finished, not an empty new one.
        double dev = 0;
        for (auto v : s.history.back().device_updates)
            dev += double(v);
        up->caption->setText(QString("device updates in epoch %1").arg(s.history.back().epoch));
        up->value->setText(loc.toString(dev, 'f', 0));
        up->detail->setText(ratio);
    } else {
        up->value->setText(loc.toString(pulses, 'f', 0));
        // The ratio is the last finished epoch's: say which.
        up->detail->setText(ratio.isEmpty()
                                ? QString("× fewer than full precision: after epoch 1")
                                : QString("epoch %1: %2").arg(s.history.back().epoch).arg(ratio));
    }

    Tile* en = tile("energy");
    const EnergyReport& e = s.energy;
    if (e.images == 0) {
        en->value->setText("—");
        en->detail->setText("once training starts");
    } else {
        en->value->setText(energy_text(e.energy_nJ_per_image[column_count - 1]));
        en->detail->setText(QString::fromStdString(e.technology));
    }
}

} // namespace cbl::ui
