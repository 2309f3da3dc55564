import { api } from './api.js';
import { useEffect, useState } from './vendor/htm-preact.mjs';

/** The page's route: the part of the address after `#`. */
export function useHash() {
  const [hash, setHash] = useState(location.hash || '#/');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

/** The register's names, read once after login. */
export function useRegister() {
  const [reg, setReg] = useState({
    residents: new Map(),
    rooms: new Map(),
    zones: new Map(),
    staff: new Map(),
    roster: [],
  });
  useEffect(() => {
    Promise.all(['residents', 'rooms', 'zones', 'staff', 'roster'].map((r) => api(`/${r}`)))
      .then(([res, rooms, zones, staff, roster]) =>
        setReg({
          residents: new Map(res.residents.map((x) => [x.id, x])),
          zones: new Map(zones.zones.map((x) => [x.id, x])),
          rooms: new Map(rooms.rooms.map((x) => [x.id, x])),
          staff: new Map(staff.staff.map((x) => [x.id, x])),
          roster: roster.roster,
        }),
      )
      .catch(() => {});
  }, []);
  return reg;
}
