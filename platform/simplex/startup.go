package simplex

import (
	"context"
	"errors"
)

func (p *Platform) ensureUser(ctx context.Context) (*User, error) {
	r, err := Exec(ctx, p.client, ShowActiveUser{})
	if err == nil {
		return &r.User, nil
	}
	var ce *CommandError
	if !errors.As(err, &ce) || ce.ChatError.InnerType() != "noActiveUser" || p.cfg.startup.BotName == "" {
		return nil, err
	}
	r, err = Exec(ctx, p.client, CreateActiveUser{Profile: &Profile{DisplayName: p.cfg.startup.BotName, PeerType: PeerBot}})
	if err != nil {
		return nil, err
	}
	return &r.User, nil
}

func (p *Platform) runStartup(ctx context.Context, u *User) error {
	s := p.cfg.startup
	if s.Address {
		_, err := Exec(ctx, p.client, APIShowMyAddress{UserID: u.UserID})
		var ce *CommandError
		if errors.As(err, &ce) && ce.ChatError.InnerType() == "userContactLinkNotFound" {
			_, err = Exec(ctx, p.client, APICreateMyAddress{UserID: u.UserID})
		}
		if err != nil {
			return err
		}
	}
	// The settings go whole, with "/_address_settings": the CLI replaces
	// them as one value, and "/auto_accept on|off" would rebuild them from
	// its own arguments, dropping the welcome and the business flag
	// (Commands.hs autoAcceptP).
	if s.AddressSettings != nil {
		if _, err := Exec(ctx, p.client, APISetAddressSettings{UserID: u.UserID, Settings: *s.AddressSettings}); err != nil {
			return err
		}
	}
	if s.Commands != nil {
		lp := u.Profile
		prof := Profile{DisplayName: lp.DisplayName, FullName: lp.FullName, ShortDescr: lp.ShortDescr,
			Image: lp.Image, ContactLink: lp.ContactLink, Preferences: lp.Preferences, PeerType: PeerBot}
		prefs := Preferences{}
		if prof.Preferences != nil {
			prefs = *prof.Preferences
		}
		prefs.Commands = s.Commands
		prof.Preferences = &prefs
		if _, err := callCmd(ctx, p.client, APIUpdateProfile{UserID: u.UserID, Profile: prof}); err != nil {
			return err
		}
	}
	return nil
}
